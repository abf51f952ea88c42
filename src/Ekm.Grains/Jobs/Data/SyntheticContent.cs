using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ekm.Grains.Jobs.Data;

/// <summary>
/// The bytes behind <see cref="SyntheticSource"/>'s items. Text uses LF line endings — also in
/// messages, where the wire format would use CRLF — so stores and exports that keep bytes as given
/// round-trip exactly.
/// </summary>
internal static class SyntheticContent
{
    public static readonly string[] People =
    [
        "Adele Vance", "Alex Wilber", "Diego Siciliani", "Grady Archie", "Henrietta Mueller", "Isaiah Langer",
        "Johanna Lorenz", "Lee Gu", "Lidia Holloway", "Megan Bowen", "Nestor Wilke", "Pradeep Gupta",
    ];

    public static readonly string[] Topics =
    [
        "Budget", "Roadmap", "Onboarding", "Quarterly review", "Vendor contracts", "Hiring plan",
        "Offsite", "Security audit", "Product launch", "Customer feedback", "Board meeting", "Pricing",
    ];

    public static readonly string[] Nouns = ["notes", "draft", "summary", "final", "agenda", "checklist"];

    private static readonly string[] Words =
    [
        "the", "team", "agreed", "to", "review", "numbers", "before", "friday", "please", "send", "your",
        "comments", "on", "latest", "draft", "we", "need", "a", "decision", "about", "vendor", "and",
        "timeline", "for", "next", "quarter", "thanks", "everyone", "who", "joined", "call", "today",
    ];

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An RFC 5322 message whose body is about <paramref name="bodySize"/> bytes.</summary>
    public static byte[] Message(SeededRandom rng, string tenantId, string subject, string localId, int bodySize)
    {
        var from = rng.Pick(People);
        var to = rng.Pick(People);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"From: {from} <{Address(from, tenantId)}>\n")
            .Append(CultureInfo.InvariantCulture, $"To: {to} <{Address(to, tenantId)}>\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {Date(rng).ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)}\n")
            .Append(CultureInfo.InvariantCulture, $"Subject: {subject}\n")
            .Append(CultureInfo.InvariantCulture, $"Message-ID: <{localId}@{tenantId}.example>\n")
            .Append("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n")
            .Append(Prose(rng, bodySize / 2));
        if (rng.Next(0, 2) == 0)
        {
            // Lines an mbox reader would take for message separators unless the export quotes them (RFC 4155).
            text.Append("\nFrom the notes of our last call:\n>From what I remember, the numbers were final.\n\n");
        }

        text.Append(Prose(rng, bodySize / 2)).Append(CultureInfo.InvariantCulture, $"\n-- \n{from}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Plain text of exactly <paramref name="size"/> bytes.</summary>
    public static byte[] Text(SeededRandom rng, int size) => Encoding.ASCII.GetBytes(Prose(rng, size)[..size]);

    /// <summary>A Graph-like JSON object padded with log entries to at least <paramref name="size"/> bytes.</summary>
    public static byte[] Json(SeededRandom rng, string tenantId, string id, string kind, string displayName, int size)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("kind", kind);
            json.WriteString("displayName", displayName);
            if (kind == "user")
            {
                json.WriteString("userPrincipalName", Address(displayName, tenantId));
            }

            json.WriteString("createdDateTime", Date(rng));
            json.WriteStartArray("entries");
            while (json.BytesCommitted + json.BytesPending < size)
            {
                json.WriteStartObject();
                json.WriteString("at", Date(rng));
                json.WriteString("by", Address(rng.Pick(People), tenantId));
                json.WriteString("text", Sentence(rng));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Bytes(SeededRandom rng, int count)
    {
        var bytes = new byte[count];
        rng.Fill(bytes);
        return bytes;
    }

    private static string Address(string person, string tenantId) =>
        $"{person.Replace(' ', '.').ToLowerInvariant()}@{tenantId}.example";

    private static DateTimeOffset Date(SeededRandom rng) => Epoch.AddMinutes(rng.Next(0, 365 * 24 * 60));

    /// <summary>Sentences wrapped at 72 columns, each line ending in LF, at least <paramref name="minLength"/> characters.</summary>
    private static string Prose(SeededRandom rng, int minLength)
    {
        var text = new StringBuilder();
        var line = new StringBuilder();
        while (text.Length + line.Length < minLength)
        {
            foreach (var word in Sentence(rng).Split(' '))
            {
                if (line.Length + word.Length >= 72)
                {
                    text.Append(line).Append('\n');
                    line.Clear();
                }

                line.Append(line.Length == 0 ? "" : " ").Append(word);
            }
        }

        return text.Append(line).Append('\n').ToString();
    }

    private static string Sentence(SeededRandom rng)
    {
        var words = Enumerable.Range(0, rng.Next(5, 15)).Select(_ => rng.Pick(Words)).ToArray();
        return $"{char.ToUpperInvariant(words[0][0])}{string.Join(' ', words)[1..]}.";
    }
}
