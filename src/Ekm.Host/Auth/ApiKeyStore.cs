using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Auth;

/// <summary>The configured API keys (hashes only) and the identity each grants.</summary>
internal sealed class ApiKeyStore
{
    private readonly List<(byte[] Hash, ClaimsIdentity Identity)> _keys = [];

    public ApiKeyStore(IOptions<AuthOptions> options, DevelopmentKey developmentKey)
    {
        foreach (var key in options.Value.ApiKeys)
        {
            if (ApiKeyHash.TryParse(key.Sha256, out var hash))
            {
                _keys.Add((hash, Identity(key.Name, key.Roles, key.Tenants)));
            }
        }

        if (developmentKey.Hash is { } devHash)
        {
            _keys.Add((devHash, Identity(DevelopmentKey.HolderName, EkmRoles.All, [EkmRoles.AllTenants])));
        }
    }

    /// <summary>
    /// Finds the identity for a presented key. Every stored hash is compared, in constant time,
    /// so the time taken tells nothing about which key or how much of it matched.
    /// </summary>
    public ClaimsIdentity? Find(string presentedKey)
    {
        var hash = ApiKeyHash.Of(presentedKey);
        ClaimsIdentity? match = null;
        foreach (var (stored, identity) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(stored, hash))
            {
                match = identity;
            }
        }

        return match;
    }

    private static ClaimsIdentity Identity(string name, IEnumerable<string> roles, IEnumerable<string> tenants)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(tenants.Select(t => new Claim(EkmRoles.TenantClaim, t)));
        return new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName, ClaimTypes.Name, ClaimTypes.Role);
    }
}
