using Ekm.LocalKms.Protocol;

namespace Ekm.LocalKms.Engine;

public sealed partial class KmsEngine
{
    private const string DefaultPolicyName = "default";

    private object CreateKey(Caller caller, KmsRequest request, CallInfo call)
    {
        var keySpec = request.Text("KeySpec") ?? request.Text("CustomerMasterKeySpec") ?? KeySpecs.SymmetricDefault;
        if (!KeySpecs.All.Contains(keySpec))
        {
            throw KmsErrors.ValidationFailed($"1 validation error detected: Value '{keySpec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", KeySpecs.All)}]");
        }

        var allowed = KeyUsages.AllowedFor(keySpec);
        var usage = request.Text("KeyUsage") ?? allowed[0];
        if (!allowed.Contains(usage))
        {
            throw KmsErrors.ValidationFailed($"KeyUsage {usage} is not compatible with KeySpec {keySpec}.");
        }

        var origin = request.Text("Origin") ?? "AWS_KMS";
        if (origin != "AWS_KMS")
        {
            throw new KmsException(KmsErrors.UnsupportedOperation, $"Origin {origin} is not supported by the local KMS.");
        }

        var description = request.Text("Description") ?? "";
        if (description.Length > 8192)
        {
            throw KmsErrors.ValidationFailed("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192");
        }

        var multiRegion = request.Bool("MultiRegion") ?? false;
        var policy = request.Text("Policy") ?? KeyPolicy.Default(caller.Account, caller.Partition);
        CheckLockout(caller, policy, request.Bool("BypassPolicyLockoutSafetyCheck") ?? false);

        var id = multiRegion ? "mrk-" + Guid.NewGuid().ToString("N") : Guid.NewGuid().ToString();
        var key = new KmsKey
        {
            KeyId = id,
            Account = caller.Account,
            Region = caller.Region,
            Partition = caller.Partition,
            CreationDate = _time.GetUtcNow(),
            Description = description,
            KeyUsage = usage,
            KeySpec = keySpec,
            MultiRegion = multiRegion,
            Policy = policy,
        };
        AddMaterial(key, rotationType: null);
        lock (_gate)
        {
            _keys[key.KeyId] = key;
            _store.SaveKey(key);
        }

        call.KeyArn = key.Arn;
        return new { KeyMetadata = Metadata(key) };
    }

    private object DescribeKey(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: true);
        Authorize(caller, key, "DescribeKey", grantTokens: request.List("GrantTokens"), grantOperation: "DescribeKey");
        lock (_gate)
        {
            return new { KeyMetadata = Metadata(key) };
        }
    }

    private object ListKeys(Caller caller, KmsRequest request)
    {
        List<KmsKey> keys;
        lock (_gate)
        {
            keys = _keys.Values
                .Where(k => k.Account == caller.Account && k.Region == caller.Region && !PurgeIfDeleted(k))
                .OrderBy(k => k.CreationDate).ThenBy(k => k.KeyId, StringComparer.Ordinal)
                .ToList();
        }

        var (page, next) = Page(keys, request);
        return new { Keys = page.Select(k => new { k.KeyId, KeyArn = k.Arn }), Truncated = next is not null, NextMarker = next };
    }

    private object SetEnabled(Caller caller, KmsRequest request, CallInfo call, bool enable)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        Authorize(caller, key, enable ? "EnableKey" : "DisableKey");
        lock (_gate)
        {
            RequireNotPendingDeletion(key);
            key.State = enable ? KeyState.Enabled : KeyState.Disabled;
            _store.SaveKey(key);
        }

        return new { };
    }

    private object ScheduleKeyDeletion(Caller caller, KmsRequest request, CallInfo call)
    {
        // Input constraints are checked before the key is looked up, as AWS does.
        var days = request.Number("PendingWindowInDays") ?? 30;
        if (days is < 7 or > 30)
        {
            throw KmsErrors.ValidationFailed("1 validation error detected: Value at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30");
        }

        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        Authorize(caller, key, "ScheduleKeyDeletion");
        lock (_gate)
        {
            RequireNotPendingDeletion(key);
            key.State = KeyState.PendingDeletion;
            key.PendingWindowInDays = days;
            key.DeletionDate = _time.GetUtcNow().AddDays(days);
            _store.SaveKey(key);
            return new { KeyId = key.Arn, DeletionDate = Epoch(key.DeletionDate.Value), KeyState = key.State.ToString(), PendingWindowInDays = days };
        }
    }

    private object CancelKeyDeletion(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        Authorize(caller, key, "CancelKeyDeletion");
        lock (_gate)
        {
            if (key.State != KeyState.PendingDeletion)
            {
                throw new KmsException(KmsErrors.InvalidState, $"{key.Arn} is not pending deletion.");
            }

            // As in AWS, a key whose deletion is cancelled comes back Disabled, not Enabled.
            key.State = KeyState.Disabled;
            key.DeletionDate = null;
            key.PendingWindowInDays = null;
            _store.SaveKey(key);
        }

        return new { KeyId = key.Arn };
    }

    private object PutKeyPolicy(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        CheckPolicyName(request.Text("PolicyName"));
        var policy = request.RequiredText("Policy");
        Authorize(caller, key, "PutKeyPolicy");
        CheckLockout(caller, policy, request.Bool("BypassPolicyLockoutSafetyCheck") ?? false);
        lock (_gate)
        {
            key.Policy = policy;
            _store.SaveKey(key);
        }

        return new { };
    }

    private object GetKeyPolicy(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        CheckPolicyName(request.Text("PolicyName"));
        Authorize(caller, key, "GetKeyPolicy");
        lock (_gate)
        {
            return new { Policy = key.Policy, PolicyName = DefaultPolicyName };
        }
    }

    private static void CheckPolicyName(string? name)
    {
        if (name is not null and not DefaultPolicyName)
        {
            throw new KmsException(KmsErrors.NotFound, $"Policy {name} does not exist: a KMS key has one policy, named 'default'.");
        }
    }

    /// <summary>AWS refuses a policy that would lock the caller out of changing it again, unless told to bypass the check.</summary>
    private void CheckLockout(Caller caller, string policy, bool bypass)
    {
        var parsed = KeyPolicy.Parse(policy);
        if (!bypass && parsed.Evaluate(caller, "kms:PutKeyPolicy", null) != PolicyDecision.Allowed)
        {
            throw new KmsException(KmsErrors.MalformedPolicyDocument,
                "The new key policy will not allow you to update the key policy in the future.");
        }

        lock (_gate)
        {
            _policyCache.TryAdd(policy, parsed);
        }
    }

    // ---- rotation (customer-side, transparent to users of the key) -----------------------------

    private object EnableKeyRotation(Caller caller, KmsRequest request, CallInfo call)
    {
        var period = request.Number("RotationPeriodInDays") ?? 365;
        if (period is < 90 or > 2560)
        {
            throw KmsErrors.ValidationFailed("1 validation error detected: Value at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560");
        }

        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        Authorize(caller, key, "EnableKeyRotation");
        RequireEnabled(key);
        RequireRotatable(key);
        lock (_gate)
        {
            key.RotationEnabled = true;
            key.RotationPeriodInDays = period;
            key.NextRotationDate = _time.GetUtcNow().AddDays(period);
            _store.SaveKey(key);
        }

        return new { };
    }

    private object DisableKeyRotation(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        Authorize(caller, key, "DisableKeyRotation");
        RequireEnabled(key);
        RequireRotatable(key);
        lock (_gate)
        {
            key.RotationEnabled = false;
            key.NextRotationDate = null;
            _store.SaveKey(key);
        }

        return new { };
    }

    private object GetKeyRotationStatus(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: true);
        Authorize(caller, key, "GetKeyRotationStatus");
        RequireRotatable(key);
        lock (_gate)
        {
            // AWS reports rotation off while a key is pending deletion; cancelling brings the setting back.
            var rotating = key.RotationEnabled && key.State != KeyState.PendingDeletion;
            return new
            {
                KeyId = key.Arn,
                KeyRotationEnabled = rotating,
                RotationPeriodInDays = rotating ? key.RotationPeriodInDays : (int?)null,
                NextRotationDate = rotating && key.NextRotationDate is { } next ? Epoch(next) : (double?)null,
                OnDemandRotationStartDate = key.OnDemandRotationStartDate is { } start ? Epoch(start) : (double?)null,
            };
        }
    }

    private object RotateKeyOnDemand(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        Authorize(caller, key, "RotateKeyOnDemand");
        RequireEnabled(key);
        RequireRotatable(key);
        lock (_gate)
        {
            if (key.Rotations.Count(r => r.RotationType == "ON_DEMAND") >= 10)
            {
                throw new KmsException("LimitExceededException", $"{key.Arn} has reached the limit of 10 on-demand rotations.");
            }

            AddMaterial(key, "ON_DEMAND");
            key.OnDemandRotationStartDate = _time.GetUtcNow();
            _store.SaveKey(key);
        }

        return new { KeyId = key.Arn };
    }

    private object ListKeyRotations(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: false);
        Authorize(caller, key, "ListKeyRotations");
        RequireRotatable(key);
        List<RotationRecord> rotations;
        lock (_gate)
        {
            rotations = [.. key.Rotations];
        }

        var (page, next) = Page(rotations, request);
        return new
        {
            Rotations = page.Select(r => new { KeyId = key.Arn, RotationDate = Epoch(r.RotationDate), r.RotationType }),
            Truncated = next is not null,
            NextMarker = next,
        };
    }

    private static void RequireRotatable(KmsKey key)
    {
        if (!key.IsSymmetricEncryption)
        {
            throw new KmsException(KmsErrors.UnsupportedOperation, $"{key.Arn} key usage and key spec do not support automatic rotation.");
        }
    }

    private static object Metadata(KmsKey key) => new
    {
        AWSAccountId = key.Account,
        key.KeyId,
        key.Arn,
        CreationDate = Epoch(key.CreationDate),
        Enabled = key.State == KeyState.Enabled,
        key.Description,
        key.KeyUsage,
        KeyState = key.State.ToString(),
        DeletionDate = key.DeletionDate is { } d ? Epoch(d) : (double?)null,
        PendingDeletionWindowInDays = key.PendingWindowInDays,
        Origin = "AWS_KMS",
        KeyManager = "CUSTOMER",
        CustomerMasterKeySpec = key.KeySpec,
        key.KeySpec,
        EncryptionAlgorithms = key.KeyUsage == KeyUsages.EncryptDecrypt
            ? key.KeySpec == KeySpecs.SymmetricDefault ? new[] { SymmetricAlgorithm } : ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
            : null,
        key.MultiRegion,
        MultiRegionConfiguration = key.MultiRegion
            ? new { MultiRegionKeyType = "PRIMARY", PrimaryKey = new { key.Arn, key.Region }, ReplicaKeys = Array.Empty<object>() }
            : null,
    };

    /// <summary>Marker-based paging as KMS does it: Limit 1–1000 (default 100), an opaque marker.</summary>
    private static (List<T> Page, string? NextMarker) Page<T>(List<T> items, KmsRequest request)
    {
        var limit = request.Number("Limit") ?? 100;
        if (limit is < 1 or > 1000)
        {
            throw KmsErrors.ValidationFailed("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000");
        }

        var start = 0;
        if (request.Text("Marker") is { } marker)
        {
            if (!int.TryParse(marker, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out start)
                || start < 0 || start > items.Count)
            {
                throw new KmsException(KmsErrors.InvalidMarker, "The marker that specifies where pagination should next begin is not valid.");
            }
        }

        var page = items.Skip(start).Take(limit).ToList();
        var next = start + page.Count < items.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return (page, next);
    }
}
