using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ekm.Keys;

namespace Ekm.Grains.Keys;

/// <summary>
/// Links audit entries by SHA-256 so an edited, dropped or reordered entry is detectable. What a
/// chain alone cannot show: a log cut back to an earlier, complete state of itself.
/// </summary>
internal static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static AuditEntry Append(IReadOnlyList<AuditEntry> entries, KeyEvent e)
    {
        var previous = entries.Count == 0 ? Genesis : entries[^1].Hash;
        var sequence = entries.Count == 0 ? 1 : entries[^1].Sequence + 1;
        return new AuditEntry(sequence, e, previous, HashOf(sequence, e, previous));
    }

    /// <summary>
    /// True when <paramref name="entries"/> (oldest first) form one unbroken chain of
    /// <paramref name="tenantId"/>'s events: another tenant's intact log copied over this one fails.
    /// </summary>
    public static bool Verify(string tenantId, IReadOnlyList<AuditEntry> entries)
    {
        var previous = Genesis;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Sequence != i + 1 || entry.Event.TenantId != tenantId || entry.PreviousHash != previous
                || entry.Hash != HashOf(entry.Sequence, entry.Event, previous))
            {
                return false;
            }

            previous = entry.Hash;
        }

        return true;
    }

    private static string HashOf(long sequence, KeyEvent e, string previous)
    {
        // Every field goes in with its length (null as -1): no actor or detail text, newlines
        // included, can move a boundary between fields and so give two different entries one hash.
        var text = new StringBuilder();
        foreach (var field in new[]
                 {
                     previous,
                     sequence.ToString(CultureInfo.InvariantCulture),
                     e.TenantId,
                     e.Kind.ToString(),
                     e.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                     e.Actor,
                     e.KeyArn,
                     e.KeyEpoch.ToString(CultureInfo.InvariantCulture),
                     e.Detail,
                 })
        {
            text.Append(CultureInfo.InvariantCulture, $"{field?.Length ?? -1}:{field}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
