using Ekm.Tenants;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Auth;

/// <summary>Checks every configured API key; reports every problem at once.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var problems = new List<string>();
        if (options.ApiKeys.Count == 0 && !options.DevelopmentKey)
        {
            problems.Add("Ekm:Auth has no ApiKeys and DevelopmentKey is off: nobody could call the gateway. Configure at least one key.");
        }

        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            var at = $"Ekm:Auth:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                problems.Add($"{at}:Name is empty: name the key's holder.");
            }

            if (!ApiKeyHash.TryParse(key.Sha256, out _))
            {
                problems.Add($"{at}:Sha256 must be the 64-hex-digit SHA-256 of the key (printf %s KEY | sha256sum), not the key itself.");
            }

            if (key.Roles.Count == 0)
            {
                problems.Add($"{at}:Roles is empty: give it one or more of {string.Join(", ", EkmRoles.All)}.");
            }

            foreach (var role in key.Roles.Where(r => !EkmRoles.All.Contains(r)))
            {
                problems.Add($"{at}:Roles has '{role}': the roles are {string.Join(", ", EkmRoles.All)}.");
            }

            if (key.Roles.Contains(EkmRoles.TenantAdmin) && key.Tenants.Count == 0)
            {
                problems.Add($"{at}:Tenants is empty: a TenantAdmin key names the tenants it administers (or '*').");
            }

            foreach (var tenant in key.Tenants.Where(t => t != EkmRoles.AllTenants))
            {
                if (!TenantId.TryValidate(tenant, out var problem))
                {
                    problems.Add($"{at}:Tenants has '{tenant}': {problem}");
                }
            }
        }

        var duplicates = options.ApiKeys
            .Select(k => k.Sha256.ToLowerInvariant())
            .Where(h => h.Length > 0)
            .GroupBy(h => h)
            .Where(g => g.Count() > 1);
        if (duplicates.Any())
        {
            problems.Add("Ekm:Auth:ApiKeys lists the same key hash twice: give every holder a key of their own.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
