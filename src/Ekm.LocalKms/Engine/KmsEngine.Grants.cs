using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ekm.LocalKms.Protocol;

namespace Ekm.LocalKms.Engine;

public sealed partial class KmsEngine
{
    private static readonly HashSet<string> GrantOperations = new(StringComparer.Ordinal)
    {
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
        "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "Sign", "Verify", "GetPublicKey", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
    };

    private static readonly HashSet<string> ContextOperations = new(StringComparer.Ordinal)
    {
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
    };

    private object CreateGrant(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: true);
        var grantee = request.RequiredText("GranteePrincipal");
        var operations = request.List("Operations") ?? [];
        if (operations.Count == 0)
        {
            throw KmsErrors.ValidationFailed("1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null");
        }

        foreach (var op in operations.Where(o => !GrantOperations.Contains(o)))
        {
            throw KmsErrors.ValidationFailed($"1 validation error detected: Value '{op}' at 'operations' failed to satisfy constraint: Member must satisfy enum value set");
        }

        if (!grantee.StartsWith("arn:", StringComparison.Ordinal))
        {
            throw KmsErrors.ValidationFailed($"GranteePrincipal '{grantee}' must be an ARN, e.g. arn:aws:iam::111122223333:root.");
        }

        IReadOnlyDictionary<string, string>? subset = null, equals = null;
        if (request.Member("Constraints") is { } constraints)
        {
            var c = new KmsRequest(constraints);
            subset = c.Map("EncryptionContextSubset");
            equals = c.Map("EncryptionContextEquals");
        }

        // As in AWS, encryption-context constraints only make sense for operations that take a context.
        if ((subset is not null || equals is not null) && operations.Any(o => !ContextOperations.Contains(o)))
        {
            throw KmsErrors.ValidationFailed("Grant constraints (EncryptionContextSubset, EncryptionContextEquals) can only be used with operations that accept an encryption context; put DescribeKey, CreateGrant and RetireGrant in a grant of their own.");
        }

        Authorize(caller, key, "CreateGrant", grantTokens: request.List("GrantTokens"), grantOperation: "CreateGrant");
        RequireEnabled(key);
        var grant = new KmsGrant
        {
            GrantId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            GrantToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            KeyArn = key.Arn,
            Name = request.Text("Name"),
            GranteePrincipal = grantee,
            RetiringPrincipal = request.Text("RetiringPrincipal"),
            IssuingAccount = Caller.RootOf(caller.Account, caller.Partition),
            Operations = operations,
            EncryptionContextSubset = subset,
            EncryptionContextEquals = equals,
            CreationDate = _time.GetUtcNow(),
        };
        lock (_gate)
        {
            _grants[grant.GrantId] = grant;
            _store.SaveGrant(grant);
        }

        return new { grant.GrantToken, grant.GrantId };
    }

    private object ListGrants(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: true);
        Authorize(caller, key, "ListGrants");
        var grantId = request.Text("GrantId");
        var grantee = request.Text("GranteePrincipal");
        List<KmsGrant> grants;
        lock (_gate)
        {
            grants = _grants.Values
                .Where(g => g.KeyArn == key.Arn && (grantId is null || g.GrantId == grantId) && (grantee is null || g.GranteePrincipal == grantee))
                .OrderBy(g => g.CreationDate).ThenBy(g => g.GrantId, StringComparer.Ordinal)
                .ToList();
        }

        var (page, next) = Page(grants, request);
        return new
        {
            Grants = page.Select(g => new
            {
                KeyId = g.KeyArn,
                g.GrantId,
                g.Name,
                CreationDate = Epoch(g.CreationDate),
                g.GranteePrincipal,
                g.RetiringPrincipal,
                g.IssuingAccount,
                g.Operations,
                Constraints = g.EncryptionContextSubset is null && g.EncryptionContextEquals is null
                    ? null
                    : new { g.EncryptionContextSubset, g.EncryptionContextEquals },
            }),
            Truncated = next is not null,
            NextMarker = next,
        };
    }

    private object RevokeGrant(Caller caller, KmsRequest request, CallInfo call)
    {
        var key = Resolve(caller, request.RequiredText("KeyId"), call, crossAccount: true);
        var grantId = request.RequiredText("GrantId");
        Authorize(caller, key, "RevokeGrant");
        lock (_gate)
        {
            if (!_grants.TryGetValue(grantId, out var grant) || grant.KeyArn != key.Arn)
            {
                throw new KmsException(KmsErrors.NotFound, $"Grant ID {grantId} not found");
            }

            RemoveGrant(grant);
        }

        return new { };
    }

    private object RetireGrant(Caller caller, KmsRequest request, CallInfo call)
    {
        var token = request.Text("GrantToken");
        var keyId = request.Text("KeyId");
        var grantId = request.Text("GrantId");
        KmsGrant? grant;
        if (token is not null)
        {
            lock (_gate)
            {
                grant = _grants.Values.FirstOrDefault(g => g.GrantToken == token);
                if (grant is null && !IssuedTokens.Contains(token))
                {
                    throw new KmsException(KmsErrors.InvalidGrantToken, "The grant token is not valid.");
                }
            }

            if (grant is null)
            {
                throw new KmsException(KmsErrors.NotFound, "The grant has already been retired or revoked.");
            }
        }
        else if (keyId is not null && grantId is not null)
        {
            var key = Resolve(caller, keyId, call, crossAccount: true);
            lock (_gate)
            {
                grant = _grants.TryGetValue(grantId, out var g) && g.KeyArn == key.Arn ? g : null;
            }

            if (grant is null)
            {
                throw new KmsException(KmsErrors.InvalidGrantId, $"Grant ID {grantId} is not valid for this key.");
            }
        }
        else
        {
            throw KmsErrors.ValidationFailed("Specify either GrantToken, or both KeyId and GrantId.");
        }

        call.KeyArn ??= grant.KeyArn;
        var mayRetire = (grant.RetiringPrincipal is { } retiring && PrincipalIs(retiring, caller))
            || (grant.Operations.Contains("RetireGrant") && PrincipalIs(grant.GranteePrincipal, caller))
            || grant.IssuingAccount == Caller.RootOf(caller.Account, caller.Partition);
        if (!mayRetire)
        {
            throw new KmsException(KmsErrors.AccessDenied,
                $"User: {caller.PrincipalArn} is not authorized to perform: kms:RetireGrant on grant {grant.GrantId}");
        }

        lock (_gate)
        {
            RemoveGrant(grant);
        }

        return new { };
    }

    private void RemoveGrant(KmsGrant grant)
    {
        _grants.Remove(grant.GrantId);
        IssuedTokens.Add(grant.GrantToken);
        _store.DeleteGrant(grant.GrantId);
    }

    // ---- aliases --------------------------------------------------------------------------------

    private object CreateAlias(Caller caller, KmsRequest request, CallInfo call)
    {
        var name = request.RequiredText("AliasName");
        var target = request.RequiredText("TargetKeyId");
        CheckAliasName(name);
        if (target.StartsWith("alias/", StringComparison.Ordinal) || target.Contains(":alias/", StringComparison.Ordinal))
        {
            throw KmsErrors.ValidationFailed("TargetKeyId must be a key id or key ARN, not an alias.");
        }

        var key = Resolve(caller, target, call, crossAccount: false);
        Authorize(caller, key, "CreateAlias");
        lock (_gate)
        {
            RequireNotPendingDeletion(key);
            var slot = (caller.Account, caller.Region, name);
            if (_aliases.ContainsKey(slot))
            {
                throw new KmsException(KmsErrors.AlreadyExists, $"An alias with the name {Arn(caller.Partition, caller.Region, caller.Account, name)} already exists");
            }

            var now = _time.GetUtcNow();
            var alias = new KmsAlias
            {
                AliasName = name,
                Account = caller.Account,
                Region = caller.Region,
                Partition = caller.Partition,
                TargetKeyId = key.KeyId,
                CreationDate = now,
                LastUpdatedDate = now,
            };
            _aliases[slot] = alias;
            _store.SaveAlias(alias);
        }

        return new { };
    }

    private object DeleteAlias(Caller caller, KmsRequest request, CallInfo call)
    {
        var name = request.RequiredText("AliasName");
        CheckAliasName(name);
        KmsAlias? alias;
        lock (_gate)
        {
            _aliases.TryGetValue((caller.Account, caller.Region, name), out alias);
        }

        if (alias is null)
        {
            throw new KmsException(KmsErrors.NotFound, $"Alias {Arn(caller.Partition, caller.Region, caller.Account, name)} is not found.");
        }

        var key = Resolve(caller, alias.TargetKeyId, call, crossAccount: false);
        Authorize(caller, key, "DeleteAlias");
        lock (_gate)
        {
            _aliases.Remove((alias.Account, alias.Region, alias.AliasName));
            _store.DeleteAlias(alias);
        }

        return new { };
    }

    private object ListAliases(Caller caller, KmsRequest request, CallInfo call)
    {
        string? targetId = null;
        if (request.Text("KeyId") is { } keyId)
        {
            targetId = Resolve(caller, keyId, call, crossAccount: false).KeyId;
        }

        List<KmsAlias> aliases;
        lock (_gate)
        {
            // Deleting a key (when its waiting period ends) deletes its aliases.
            foreach (var key in _keys.Values.Where(k => k.Account == caller.Account && k.Region == caller.Region).ToList())
            {
                PurgeIfDeleted(key);
            }

            aliases = _aliases.Values
                .Where(a => a.Account == caller.Account && a.Region == caller.Region && (targetId is null || a.TargetKeyId == targetId))
                .OrderBy(a => a.AliasName, StringComparer.Ordinal)
                .ToList();
        }

        var (page, next) = Page(aliases, request);
        return new
        {
            Aliases = page.Select(a => new
            {
                a.AliasName,
                AliasArn = a.Arn,
                a.TargetKeyId,
                CreationDate = Epoch(a.CreationDate),
                LastUpdatedDate = Epoch(a.LastUpdatedDate),
            }),
            Truncated = next is not null,
            NextMarker = next,
        };
    }

    private static void CheckAliasName(string name)
    {
        if (!AliasPattern().IsMatch(name) || name.Length > 256)
        {
            throw new KmsException(KmsErrors.InvalidAliasName, $"Alias name '{name}' must begin with 'alias/' and contain only alphanumeric characters, forward slashes, underscores and dashes.");
        }

        if (name.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            throw new KmsException(KmsErrors.InvalidAliasName, "Alias names beginning with 'alias/aws/' are reserved for AWS managed keys.");
        }
    }

    [GeneratedRegex("^alias/[a-zA-Z0-9/_-]+$")]
    private static partial Regex AliasPattern();
}
