using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace Ekm.Host.Tests.Fuzz;

/// <summary>
/// Generators of AWS KMS key ARNs (every shape the service accepts), near misses, other clouds' key
/// identifiers and arbitrary text; and <see cref="IsWellFormed"/>, the ARN grammar of DESIGN §5
/// written out on its own, so a property can say "accepted exactly when well formed".
/// </summary>
internal static partial class KeyArnGenerators
{
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";
    private const string Hex = "0123456789abcdef";
    private const string AliasChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-";

    private static readonly string[] Partitions = ["aws", "aws-cn", "aws-us-gov"];

    private static readonly string[] RealRegions =
    [
        "us-east-1", "us-east-2", "us-west-2", "us-gov-west-1", "us-gov-east-1", "ap-southeast-2", "ap-northeast-3",
        "eu-central-1", "eu-west-2", "cn-north-1", "cn-northwest-1", "il-central-1", "ca-west-1", "me-south-1", "us-iso-east-1",
    ];

    /// <summary>Characters a mutation inserts: separators, whitespace, controls, look-alikes of ASCII letters and digits.</summary>
    private static readonly char[] Nasty =
    [
        ':', '/', '-', '_', '.', ' ', '\t', '\n', '\r', '\v', '\f', '\0', '\u0085', '\u00a0', '\u2028', '\u200b', '\ufeff',
        'a', 'f', 'g', 'z', 'A', 'F', 'K', '0', '9', '\u0661', '\uff11', '\u212a', '\u017f', '\u0130', '\u0131', 'é', '\ud800', '\udc00',
    ];

    private static readonly char[] WhiteSpace = [' ', '\t', '\n', '\r', '\v', '\f', '\u0085', '\u00a0', '\u2003', '\u2028', '\u2029', '\u3000'];

    /// <summary>The ARN slugs of <see cref="Problems.ProblemSlugs"/>: every refusal of the parser is one of them.</summary>
    public static readonly IReadOnlySet<string> ArnSlugs = new HashSet<string>(StringComparer.Ordinal)
    {
        Problems.ProblemSlugs.KeyArnRequired,
        Problems.ProblemSlugs.InvalidKeyArn,
        Problems.ProblemSlugs.NotAKmsKeyArn,
        Problems.ProblemSlugs.InvalidKeyArnPartition,
        Problems.ProblemSlugs.InvalidKeyArnRegion,
        Problems.ProblemSlugs.InvalidKeyArnAccount,
        Problems.ProblemSlugs.InvalidKeyId,
        Problems.ProblemSlugs.UnsupportedKeyProvider,
    };

    public static Gen<string> Region =>
        Gen.OneOf(
            Gen.Elements(RealRegions),
            from area in Word(Lower, 2, 2)
            from count in Gen.Choose(1, 3)
            from words in Gen.ArrayOf(Word(Lower, 1, 10), count)
            from digit in Gen.Elements(Digits.ToCharArray())
            select $"{area}-{string.Join('-', words)}-{digit}");

    /// <summary>Twelve digits; leading zeros included on purpose (an account id is text, not a number).</summary>
    public static Gen<string> Account =>
        Gen.Frequency(
            (4, Word(Digits, 12, 12)),
            (1, Gen.Elements("000000000000", "000000000001", "012345678901", "111122223333", "999999999999")));

    public static Gen<string> KeyId =>
        Gen.OneOf(
            Word(Hex, 32, 32).Select(h => $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..]}"),
            Word(Hex, 32, 32).Select(h => "mrk-" + h));

    /// <summary>Alias names as KMS allows them after <c>alias/</c>: 1 to 250 of a-z, A-Z, 0-9, '/', '_' and '-'.</summary>
    public static Gen<string> AliasName =>
        Gen.Frequency((5, Word(AliasChars, 1, 30)), (1, Word(AliasChars, 200, 250)));

    public static Gen<string> ValidArn =>
        from partition in Gen.Elements(Partitions)
        from region in Region
        from account in Account
        from resource in Gen.Frequency((4, KeyId.Select(id => "key/" + id)), (1, AliasName.Select(name => "alias/" + name)))
        select $"arn:{partition}:kms:{region}:{account}:{resource}";

    public static Gen<string> SurroundingWhiteSpace => Word(new string(WhiteSpace), 0, 6);

    /// <summary>A valid ARN changed by one to three edits: the near misses an admin pastes.</summary>
    public static Gen<string> MutatedArn => ValidArn.SelectMany(Mutated);

    public static Gen<string> Mutated(string text) =>
        Gen.Choose(1, 3).SelectMany(edits => Edits(text, edits));

    /// <summary>Azure Key Vault (vaults and managed HSMs) key identifiers, as the Azure portal shows them.</summary>
    public static Gen<string> AzureKeyVaultKeyId =>
        from scheme in Gen.Elements("https", "HTTPS", "Https")
        from vault in Word(Lower + Digits, 3, 24)
        from domain in Gen.Elements(
            "vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net", "vault.microsoftazure.de",
            "managedhsm.azure.net", "managedhsm.azure.cn", "managedhsm.usgovcloudapi.net", "VAULT.AZURE.NET")
        from name in Word(Lower + Digits + "-", 1, 40)
        from version in Gen.OneOf(Gen.Constant(""), Word(Hex, 32, 32).Select(v => "/" + v))
        select $"{scheme}://{vault}.{domain}/keys/{name}{version}";

    /// <summary>Google Cloud KMS key (and key version) resource names, short and full.</summary>
    public static Gen<string> GoogleCloudKmsKeyName =>
        from prefix in Gen.Elements("", "//cloudkms.googleapis.com/")
        from project in Word(Lower, 1, 1).SelectMany(first => Word(Lower + Digits + "-", 5, 29).Select(rest => first + rest))
        from location in Gen.Elements("global", "us", "europe", "us-east1", "europe-west1", "asia-northeast1")
        from ring in Word(AliasChars.Replace("/", "", StringComparison.Ordinal), 1, 63)
        from key in Word(AliasChars.Replace("/", "", StringComparison.Ordinal), 1, 63)
        from version in Gen.OneOf(Gen.Constant(""), Gen.Choose(1, 99).Select(v => $"/cryptoKeyVersions/{v}"))
        select $"{prefix}projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}{version}";

    /// <summary>Text of every kind: null, empty, unicode, controls, lone surrogates, very long, ARN-like prefixes.</summary>
    public static Gen<string?> AnyText =>
        Gen.Frequency(
            (4, ArbMap.Default.GeneratorFor<string?>()),
            (3, ArbMap.Default.GeneratorFor<UnicodeString>().Select(s => (string?)s.Get)),
            (2, Chars(0, 0x20, 0, 40)),
            (2, Chars(0xd7f0, 0xe010, 1, 20)),
            (1, Gen.Constant<string?>(null)),
            (1, Gen.Elements<string?>("", " ", "\0", "arn", "arn:", ":::::", "arn:aws:kms:::", "arn:aws:kms:us-east-1:111122223333:", "key/", "alias/")),
            (2, from prefix in Gen.Elements("arn:", "arn:aws:", "arn:aws:kms:", "arn:aws:kms:us-east-1:", "arn:aws:kms:us-east-1:111122223333:")
                from rest in ArbMap.Default.GeneratorFor<UnicodeString>()
                select (string?)(prefix + rest.Get)),
            (1, from length in Gen.Choose(1_000, 200_000)
                from c in Gen.Elements('a', '0', ':', '/', '\0', 'é')
                select (string?)new string(c, length)));

    /// <summary>The grammar the parser must accept, and nothing else (after trimming surrounding white space).</summary>
    public static bool IsWellFormed(string? text) => text is not null && Grammar().IsMatch(text.Trim());

    /// <summary>Shrinks text by halves and by single characters, so a failure is reported on a short input.</summary>
    public static IEnumerable<string?> Shrink(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        if (text.Length > 1)
        {
            yield return text[..(text.Length / 2)];
            yield return text[(text.Length / 2)..];
        }

        for (var i = 0; i < Math.Min(text.Length, 64); i++)
        {
            yield return text.Remove(i, 1);
        }
    }

    /// <summary>Shows control characters, surrogates and white space as escapes and cuts long text, for failure messages.</summary>
    public static string Show(string? text, int max = 300)
    {
        if (text is null)
        {
            return "(null)";
        }

        var shown = new StringBuilder("\"");
        foreach (var c in text.Length > max ? text[..max] : text)
        {
            shown.Append(c is '"' or '\\' ? $"\\{c}" : c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString());
        }

        shown.Append('"');
        return text.Length > max ? $"{shown}… ({text.Length} chars)" : shown.ToString();
    }

    public static Gen<string> Word(string alphabet, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), n)).Select(cs => new string(cs));

    private static Gen<string?> Chars(int from, int to, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Choose(from, to).Select(c => (char)c), n)).Select(cs => (string?)new string(cs));

    private static Gen<string> Edits(string text, int edits) =>
        edits == 0 ? Gen.Constant(text) : Edit(text).SelectMany(edited => Edits(edited, edits - 1));

    private static Gen<string> Edit(string text)
    {
        var position = Gen.Choose(0, Math.Max(0, text.Length - 1));
        var insertAt = Gen.Choose(0, text.Length);
        var segments = text.Split(':');
        var colons = Enumerable.Range(0, text.Length).Where(i => text[i] == ':').ToArray();
        var edits = new List<(int, Gen<string>)>
        {
            (2, from at in insertAt from c in Gen.Elements(Nasty) select text.Insert(at, c.ToString())),
            (1, from at in insertAt from c in Gen.Elements(':', '/') select text.Insert(at, c.ToString())),
            (1, Gen.Elements(text.ToUpperInvariant(), text.ToLowerInvariant())),
            (1, from i in Gen.Choose(0, segments.Length - 1)
                from j in Gen.Choose(0, segments.Length - 1)
                select string.Join(':', Swap(segments, i, j))),
        };
        if (text.Length > 0)
        {
            edits.Add((2, position.Select(at => text.Remove(at, 1))));
            edits.Add((2, from at in position from c in Gen.Elements(Nasty) select text.Remove(at, 1).Insert(at, c.ToString())));
            edits.Add((1, position.Select(at => text.Remove(at, 1).Insert(at, char.IsUpper(text[at])
                ? char.ToLowerInvariant(text[at]).ToString()
                : char.ToUpperInvariant(text[at]).ToString()))));
        }

        if (colons.Length > 0)
        {
            edits.Add((1, Gen.Elements(colons).Select(at => text.Remove(at, 1))));

            // Segment edges are where a parser's anchors and splits go wrong.
            edits.Add((4, from at in Gen.Elements(colons) from after in Gen.Elements(0, 1) from c in Gen.Elements(Nasty)
                          select text.Insert(at + after, c.ToString())));
        }

        return Gen.Frequency(edits);
    }

    private static string[] Swap(string[] segments, int i, int j)
    {
        var swapped = (string[])segments.Clone();
        (swapped[i], swapped[j]) = (swapped[j], swapped[i]);
        return swapped;
    }

    [GeneratedRegex(@"\Aarn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:(key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias/[a-zA-Z0-9/_-]{1,250})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
