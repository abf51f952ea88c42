using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Protocol;
using Ekm.LocalKms.Storage;

namespace Ekm.LocalKms.Engine;

/// <summary>
/// The KMS itself: keys, policies, grants and aliases per account and region, and the operations
/// on them with AWS's checks in AWS's order — resolve the key (NotFound), authorize the caller
/// (AccessDenied), check the key state (Disabled / KMSInvalidState), check the key usage.
/// State lives in memory behind one lock and is written through to the store; cryptography runs
/// outside the lock.
/// </summary>
public sealed partial class KmsEngine
{
    private readonly Lock _gate = new();
    private readonly IKmsStore _store;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, KmsKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Region, string Name), KmsAlias> _aliases = [];
    private readonly Dictionary<string, KmsGrant> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyPolicy> _policyCache = new(StringComparer.Ordinal);

    public KmsEngine(IKmsStore store, TimeProvider time, FaultInjector? faults = null)
    {
        _store = store;
        _time = time;
        Faults = faults ?? new FaultInjector();
        var snapshot = store.Load();
        foreach (var key in snapshot.Keys)
        {
            _keys[key.KeyId] = key;
        }

        foreach (var alias in snapshot.Aliases)
        {
            _aliases[(alias.Account, alias.Region, alias.AliasName)] = alias;
        }

        foreach (var grant in snapshot.Grants)
        {
            _grants[grant.GrantId] = grant;
        }
    }

    public FaultInjector Faults { get; }

    public CallCounters Counters { get; } = new();

    /// <summary>Runs one operation, counting it by the key it touched and applying any fault for that key.</summary>
    public async Task<object> ExecuteAsync(string operation, Caller caller, KmsRequest request)
    {
        var call = new CallInfo(operation);
        try
        {
            call.DrawFaults(Faults, keyId: null);
            var result = operation switch
            {
                "CreateKey" => CreateKey(caller, request, call),
                "DescribeKey" => DescribeKey(caller, request, call),
                "ListKeys" => ListKeys(caller, request),
                "Encrypt" => Encrypt(caller, request, call),
                "Decrypt" => Decrypt(caller, request, call),
                "GenerateDataKey" => GenerateDataKey(caller, request, call, withPlaintext: true),
                "GenerateDataKeyWithoutPlaintext" => GenerateDataKey(caller, request, call, withPlaintext: false),
                "ReEncrypt" => ReEncrypt(caller, request, call),
                "EnableKey" => SetEnabled(caller, request, call, enable: true),
                "DisableKey" => SetEnabled(caller, request, call, enable: false),
                "ScheduleKeyDeletion" => ScheduleKeyDeletion(caller, request, call),
                "CancelKeyDeletion" => CancelKeyDeletion(caller, request, call),
                "PutKeyPolicy" => PutKeyPolicy(caller, request, call),
                "GetKeyPolicy" => GetKeyPolicy(caller, request, call),
                "CreateGrant" => CreateGrant(caller, request, call),
                "ListGrants" => ListGrants(caller, request, call),
                "RevokeGrant" => RevokeGrant(caller, request, call),
                "RetireGrant" => RetireGrant(caller, request, call),
                "CreateAlias" => CreateAlias(caller, request, call),
                "DeleteAlias" => DeleteAlias(caller, request, call),
                "ListAliases" => ListAliases(caller, request, call),
                "EnableKeyRotation" => EnableKeyRotation(caller, request, call),
                "DisableKeyRotation" => DisableKeyRotation(caller, request, call),
                "GetKeyRotationStatus" => GetKeyRotationStatus(caller, request, call),
                "RotateKeyOnDemand" => RotateKeyOnDemand(caller, request, call),
                "ListKeyRotations" => ListKeyRotations(caller, request, call),
                _ => throw new KmsException(KmsErrors.UnknownOperation, $"Operation {operation} is not supported by the local KMS."),
            };
            if (call.FaultDelay is { } delay)
            {
                await Task.Delay(delay); // injected latency is wall-clock time, whatever the engine's clock
            }

            Counters.Record(operation, call.KeyArn, "Success");
            return result;
        }
        catch (KmsException ex)
        {
            if (call.FaultDelay is { } delay)
            {
                await Task.Delay(delay); // injected latency is wall-clock time, whatever the engine's clock
            }

            Counters.Record(operation, call.KeyArn, ex.Code);
            throw;
        }
    }

    private sealed class CallInfo(string operation)
    {
        private readonly HashSet<string> _keysDrawn = new(StringComparer.Ordinal);

        public string Operation { get; } = operation;

        public string? KeyArn { get; set; }

        public TimeSpan? FaultDelay { get; private set; }

        /// <summary>
        /// Draws the faults for this call and a key, once per key: a Decrypt that names its key
        /// resolves it twice, and a second draw would raise the rate a rule promises.
        /// </summary>
        public void DrawFaults(FaultInjector faults, string? keyId)
        {
            if (keyId is not null && !_keysDrawn.Add(keyId))
            {
                return;
            }

            if (faults.Before(Operation, keyId) is { } delay)
            {
                FaultDelay = (FaultDelay ?? TimeSpan.Zero) + delay;
            }
        }
    }

    // ---- key resolution, authorization and state --------------------------------------------

    /// <summary>
    /// Finds the key a KeyId names, as AWS does: a bare key id or alias name is looked up in the
    /// caller's account and region; an ARN names its account, and only operations that allow
    /// cross-account use may reach another account's key.
    /// </summary>
    private KmsKey Resolve(Caller caller, string keyId, CallInfo call, bool crossAccount)
    {
        string account = caller.Account, region = caller.Region;
        string? aliasName = null, id = null;
        if (keyId.StartsWith("arn:", StringComparison.Ordinal))
        {
            var m = ArnPattern().Match(keyId);
            if (!m.Success)
            {
                throw new KmsException(KmsErrors.NotFound, $"Invalid arn {keyId}");
            }

            account = m.Groups["account"].Value;
            region = m.Groups["region"].Value;
            if (m.Groups["type"].Value == "alias")
            {
                aliasName = "alias/" + m.Groups["name"].Value;
            }
            else
            {
                id = m.Groups["name"].Value;
            }
        }
        else if (keyId.StartsWith("alias/", StringComparison.Ordinal))
        {
            aliasName = keyId;
        }
        else
        {
            id = keyId;
        }

        if (region != caller.Region || (account != caller.Account && !crossAccount))
        {
            throw KmsErrors.NotFoundFor(keyId);
        }

        lock (_gate)
        {
            if (aliasName is not null)
            {
                if (!_aliases.TryGetValue((account, region, aliasName), out var alias))
                {
                    throw new KmsException(KmsErrors.NotFound, $"Alias {Arn(caller.Partition, region, account, aliasName)} is not found.");
                }

                id = alias.TargetKeyId;
            }

            if (!_keys.TryGetValue(id!, out var key) || key.Account != account || key.Region != region)
            {
                throw KmsErrors.NotFoundFor(Arn(caller.Partition, region, account, "key/" + id));
            }

            if (PurgeIfDeleted(key))
            {
                throw KmsErrors.NotFoundFor(key.Arn);
            }

            RotateIfDue(key);
            call.KeyArn = key.Arn;
            call.DrawFaults(Faults, key.KeyId);
            return key;
        }
    }

    /// <summary>
    /// A key whose waiting period has passed is deleted: its material is destroyed and its aliases
    /// and grants go. The record stays as a tombstone so every later use answers NotFound.
    /// </summary>
    private bool PurgeIfDeleted(KmsKey key)
    {
        if (!IsDeleted(key))
        {
            return false;
        }

        if (key.Material.Count > 0)
        {
            key.Material.Clear();
            _store.SaveKey(key);
            foreach (var alias in _aliases.Values.Where(a => a.TargetKeyId == key.KeyId).ToList())
            {
                _aliases.Remove((alias.Account, alias.Region, alias.AliasName));
                _store.DeleteAlias(alias);
            }

            foreach (var grant in _grants.Values.Where(g => g.KeyArn == key.Arn).ToList())
            {
                _grants.Remove(grant.GrantId);
                _store.DeleteGrant(grant.GrantId);
            }
        }

        return true;
    }

    private bool IsDeleted(KmsKey key) => key.State == KeyState.PendingDeletion && key.DeletionDate <= _time.GetUtcNow();

    private void RotateIfDue(KmsKey key)
    {
        // One rotation per period that has passed, each dated when it was due, as AWS rotates on schedule.
        var rotated = false;
        while (key.RotationEnabled && key.State == KeyState.Enabled && key.NextRotationDate is { } due && due <= _time.GetUtcNow())
        {
            AddMaterial(key, "AUTOMATIC", due);
            key.NextRotationDate = due.AddDays(key.RotationPeriodInDays);
            rotated = true;
        }

        if (rotated)
        {
            _store.SaveKey(key);
        }
    }

    private void Authorize(Caller caller, KmsKey key, string action, IReadOnlyDictionary<string, string>? context = null,
        IReadOnlyList<string>? grantTokens = null, string? grantOperation = null)
    {
        lock (_gate)
        {
            CheckGrantTokens(grantTokens);
            var decision = PolicyOf(key).Evaluate(caller, "kms:" + action, context);
            if (decision == PolicyDecision.Allowed)
            {
                return;
            }

            if (decision == PolicyDecision.NotAllowed && grantOperation is not null
                && _grants.Values.Any(g => g.KeyArn == key.Arn && GrantAllows(g, caller, grantOperation, context)))
            {
                return;
            }

            var reason = decision == PolicyDecision.Denied
                ? $"with an explicit deny in a resource-based policy"
                : $"because no resource-based policy allows the kms:{action} action";
            throw new KmsException(KmsErrors.AccessDenied,
                $"User: {caller.PrincipalArn} is not authorized to perform: kms:{action} on resource: {key.Arn} {reason}");
        }
    }

    private static bool GrantAllows(KmsGrant grant, Caller caller, string operation, IReadOnlyDictionary<string, string>? context)
    {
        if (!PrincipalIs(grant.GranteePrincipal, caller) || !grant.Operations.Contains(operation))
        {
            return false;
        }

        var actual = context ?? new Dictionary<string, string>();
        if (grant.EncryptionContextEquals is { } equals
            && (equals.Count != actual.Count || equals.Any(p => !actual.TryGetValue(p.Key, out var v) || v != p.Value)))
        {
            return false;
        }

        return grant.EncryptionContextSubset is not { } subset || subset.All(p => actual.TryGetValue(p.Key, out var v) && v == p.Value);
    }

    private static bool PrincipalIs(string principal, Caller caller) =>
        principal == caller.PrincipalArn || principal == Caller.RootOf(caller.Account, caller.Partition) || principal == caller.Account;

    private void CheckGrantTokens(IReadOnlyList<string>? tokens)
    {
        if (tokens is null)
        {
            return;
        }

        if (tokens.Count > 10)
        {
            throw KmsErrors.ValidationFailed("1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10");
        }

        foreach (var token in tokens)
        {
            if (!_grants.Values.Any(g => g.GrantToken == token) && !IssuedTokens.Contains(token))
            {
                throw new KmsException(KmsErrors.InvalidGrantToken, "The grant token is not valid.");
            }
        }
    }

    /// <summary>Tokens of grants since retired or revoked: still well-formed, they just grant nothing.</summary>
    private HashSet<string> IssuedTokens { get; } = new(StringComparer.Ordinal);

    private KeyPolicy PolicyOf(KmsKey key)
    {
        if (!_policyCache.TryGetValue(key.Policy, out var policy))
        {
            policy = KeyPolicy.Parse(key.Policy);
            _policyCache[key.Policy] = policy;
        }

        return policy;
    }

    /// <summary>Disabled → DisabledException; pending deletion → KMSInvalidStateException.</summary>
    private static void RequireEnabled(KmsKey key)
    {
        switch (key.State)
        {
            case KeyState.Disabled:
                throw new KmsException(KmsErrors.Disabled, $"{key.Arn} is disabled.");
            case KeyState.PendingDeletion:
                throw PendingDeletion(key);
        }
    }

    private static void RequireNotPendingDeletion(KmsKey key)
    {
        if (key.State == KeyState.PendingDeletion)
        {
            throw PendingDeletion(key);
        }
    }

    private static KmsException PendingDeletion(KmsKey key) => new(KmsErrors.InvalidState, $"{key.Arn} is pending deletion.");

    private static void RequireSymmetric(KmsKey key, string operation)
    {
        if (!key.IsSymmetricEncryption)
        {
            throw new KmsException(KmsErrors.InvalidKeyUsage,
                $"{key.Arn} key usage is {key.KeyUsage} and key spec is {key.KeySpec}, which is not valid for {operation}.");
        }
    }

    private void AddMaterial(KmsKey key, string? rotationType, DateTimeOffset? at = null)
    {
        key.Material.Add(RandomNumberGenerator.GetBytes(32));
        if (rotationType is not null)
        {
            key.Rotations.Add(new RotationRecord(at ?? _time.GetUtcNow(), rotationType));
        }
    }

    private static string Arn(string partition, string region, string account, string resource) =>
        $"arn:{partition}:kms:{region}:{account}:{resource}";

    private static double Epoch(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    [GeneratedRegex("^arn:(?<partition>aws[a-z-]*):kms:(?<region>[a-z0-9-]+):(?<account>[0-9]{12}):(?<type>key|alias)/(?<name>.+)$")]
    private static partial Regex ArnPattern();
}
