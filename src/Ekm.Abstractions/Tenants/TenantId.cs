using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Ekm.Tenants;

/// <summary>
/// Tenant identifiers: 1–63 characters of lowercase ASCII letters, digits and hyphens, starting and
/// ending with a letter or digit (a DNS label). The rule keeps ids safe as grain keys, file and
/// folder names, encryption-context values and URL segments, and makes "Acme" and "acme" one
/// question instead of two tenants.
/// </summary>
public static partial class TenantId
{
    public const int MaxLength = 63;

    /// <summary>Checks <paramref name="value"/>; on failure <paramref name="problem"/> says what an admin should fix.</summary>
    public static bool TryValidate(string? value, [NotNullWhen(false)] out string? problem)
    {
        problem = value switch
        {
            null or "" => "The tenant id is empty.",
            { Length: > MaxLength } => $"The tenant id is {value.Length} characters long; at most {MaxLength} are allowed.",
            _ when !Pattern().IsMatch(value) =>
                "The tenant id may contain only lowercase letters a-z, digits and hyphens, and must start and end with a letter or digit.",
            _ => null,
        };
        return problem is null;
    }

    // \z, not $: $ also matches before a final newline, which would let "acme\n" name a second tenant.
    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
