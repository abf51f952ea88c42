using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ekm.Grains.Jobs;
using Ekm.Jobs;
using FsCheck;
using FsCheck.Fluent;

namespace Ekm.Host.Tests.Fuzz;

/// <summary>The gateway bodies of DESIGN §10 that the fuzzer sends.</summary>
public enum FuzzEndpoint
{
    Validate,
    Enable,
    UpdateKey,
    Availability,
    StartJob,
}

/// <summary>The tenants of <see cref="GatewayFuzzFixture"/>, one per lifecycle state.</summary>
public enum FuzzTenant
{
    /// <summary>Stored, on Cloud Key Management; support has not activated Enterprise Key Management.</summary>
    NotActivated,

    /// <summary>Activated by support, still on Cloud Key Management.</summary>
    Ckm,

    /// <summary>On Enterprise Key Management with a usable customer key.</summary>
    Ekm,

    /// <summary>A valid tenant id (with its own admin key) the service has never heard of.</summary>
    Unknown,
}

/// <summary>
/// One request: endpoint, tenant, content type and body bytes, and optionally a route value sent
/// instead of the tenant's id. <see cref="Shape"/> names the generator that made it.
/// </summary>
public sealed record FuzzRequest(FuzzEndpoint Endpoint, FuzzTenant Tenant, string Shape, string? ContentType, byte[] Body)
{
    /// <summary>The tenant route segment to send instead of the tenant's id; escaped unless <see cref="RawRoute"/>.</summary>
    public string? Route { get; init; }

    public bool RawRoute { get; init; }

    public override string ToString()
    {
        var route = Route is null ? "" : $" at route {KeyArnGenerators.Show(Route, 80)}{(RawRoute ? " (raw)" : "")}";
        var body = Encoding.UTF8.GetString(Body);
        return $"{Endpoint} on {Tenant}{route} [{Shape}], Content-Type: {ContentType ?? "(none)"}, {Body.Length} bytes: {KeyArnGenerators.Show(body, 400)}";
    }
}

/// <summary>What the generators need to know about the fixture's world.</summary>
/// <param name="TenantIds">The tenant id of each <see cref="FuzzTenant"/>.</param>
/// <param name="EkmKeyArn">The key the <see cref="FuzzTenant.Ekm"/> tenant uses.</param>
/// <param name="UsableKeys">Keys that work for some tenant: a request naming one may legitimately succeed.</param>
/// <param name="RefusedKeys">Real keys KMS refuses to the vendor (disabled, pending deletion, wrong spec, vendor not admitted).</param>
/// <param name="CustomerAccount">The customer's AWS account in the local KMS.</param>
/// <param name="TermsVersion">The current terms version.</param>
public sealed record FuzzWorld(
    IReadOnlyDictionary<FuzzTenant, string> TenantIds,
    string EkmKeyArn,
    IReadOnlyList<string> UsableKeys,
    IReadOnlyList<string> RefusedKeys,
    string CustomerAccount,
    string TermsVersion);

/// <summary>
/// Generators of gateway requests that must be refused, and <see cref="MayBeAccepted"/>: a
/// conservative model of the body binder and of each tenant's state that says when a generated
/// request could legitimately succeed (those are left out: they would change the state).
/// </summary>
internal sealed partial class GatewayRequests(FuzzWorld world)
{
    private const string Json = "application/json";

    private static readonly FuzzTenant[] Tenants = Enum.GetValues<FuzzTenant>();

    private static readonly string[] Traversals =
    [
        "..", "../x", "../../etc/passwd", "%2e%2e", "%2e%2e%2f", "..%2f..%2fetc", "/etc", "/etc/passwd", "C:\\", "C:\\Windows\\win.ini",
        "\\\\server\\share", "a/../../b", ".", "", " ", "x\0y", "CON", "mailbox-1\n", "Mailbox-1", "-x", "é", "~", "$HOME", "*", "a b",
    ];

    private static readonly string[] WrongForString = ["0", "-1.5e300", "true", "false", "[]", "[\"a\"]", "{}", "{\"a\":\"b\"}", "1e999"];

    private static readonly string[] WrongForBool = ["\"true\"", "\"false\"", "1", "0", "[]", "{}", "\"\"", "\"yes\"", "[true]", "-0"];

    private static readonly string[] WrongForEnum =
    [
        "true", "[]", "{}", "3.5", "1e2", "-0.5", "2147483648", "-2147483649", "7", "99", "-1", "\"\"", "\" \"", "\"Backup2\"", "\"-1\"",
        "\"7\"", "\"99\"", "\"backup,download\"", "\"Backup, Restore\"", "\"Office365\"", "\"Microsoft 365\"", "\"null\"", "[\"Backup\"]",
    ];

    private static readonly string[] WrongForList = ["\"mailbox-1\"", "1", "true", "{}", "[1,2]", "[[\"a\"]]", "[{}]", "[true]", "[null]"];

    private static readonly string[] WrongContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream",
        "text/json", "application/jsonp", "json", "application/json; charset=utf-16", "application/json; charset=utf-32",
        "application/json; charset=us-ascii", ";;", "application/", "*/*", "application/json, text/plain",
    ];

    private static readonly byte[][] BadUtf8 = [[0xc0, 0xaf], [0xff], [0xfe, 0xff], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]];

    /// <summary>Requests to one endpoint, on every tenant, that the gateway must refuse without changing anything.</summary>
    public Arbitrary<FuzzRequest> Refused(FuzzEndpoint endpoint) =>
        (from tenant in Gen.Elements(Tenants)
         from request in Request(endpoint, tenant)
         select request)
        .Where(r => !MayBeAccepted(r))
        .ToArbitrary();

    /// <summary>Requests to any endpoint whose tenant route value is not a tenant id (or not one the caller may use).</summary>
    public Arbitrary<FuzzRequest> MalformedRoutes() =>
        (from endpoint in Gen.Elements(Enum.GetValues<FuzzEndpoint>())
         from tenant in Gen.Elements(Tenants)
         from request in Gen.Frequency((3, WellTyped(endpoint, tenant)), (1, Request(endpoint, tenant)))
         from route in MalformedRoute(world.TenantIds[tenant])
         select request with { Route = route.Value, RawRoute = route.Raw })
        .ToArbitrary();

    /// <summary>
    /// Whether the request could succeed on its tenant: the body binds (JSON content type, UTF-8 or
    /// a known charset, an object root; last duplicate wins; names match case-insensitively) and its
    /// values are ones the tenant's state would accept. Errs on the side of "could".
    /// </summary>
    public bool MayBeAccepted(FuzzRequest request)
    {
        if (!TryBind(request, out var fields))
        {
            return false;
        }

        string? Text(string name) => fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        bool IsBool(string name, bool? value = null) =>
            fields.TryGetValue(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            && (value is null || v.GetBoolean() == value);
        bool Usable(string? arn) => arn is not null && world.UsableKeys.Contains(arn.Trim());

        return (request.Endpoint, request.Tenant) switch
        {
            // Turning Enterprise Key Management off is refused (ekm-irreversible); anything else that binds may succeed.
            (FuzzEndpoint.Availability, FuzzTenant.Ekm) => IsBool("activated", true),
            (FuzzEndpoint.Availability, _) => IsBool("activated"),
            (FuzzEndpoint.Validate, FuzzTenant.Ckm or FuzzTenant.Ekm) => Usable(Text("keyArn")),
            (FuzzEndpoint.Enable, FuzzTenant.Ekm) => Text("keyArn")?.Trim() == world.EkmKeyArn,
            (FuzzEndpoint.Enable, FuzzTenant.Ckm) => Usable(Text("keyArn")) && IsBool("acceptTerms", true) && Text("termsVersion") == world.TermsVersion,
            (FuzzEndpoint.UpdateKey, FuzzTenant.Ekm) => Usable(Text("keyArn")),
            (FuzzEndpoint.StartJob, _) => MayStartJob(fields),
            _ => false,
        };
    }

    private static bool MayStartJob(Dictionary<string, JsonElement> fields)
    {
        if (!fields.TryGetValue("kind", out var kind) || !BindsDefined<JobKind>(kind, out var k)
            || !fields.TryGetValue("product", out var product) || !BindsDefined<Product>(product, out _)
            || !fields.TryGetValue("variant", out var variant) || variant.ValueKind != JsonValueKind.String
            || !JobCatalog.Variants[k].Contains(variant.GetString()!))
        {
            return false;
        }

        var containersBind = !fields.TryGetValue("containers", out var containers) || containers.ValueKind == JsonValueKind.Null
            || (containers.ValueKind == JsonValueKind.Array
                && containers.EnumerateArray().All(c => c.ValueKind == JsonValueKind.String && ContainerId().IsMatch(c.GetString()!)));
        var inPlaceBinds = !fields.TryGetValue("inPlace", out var inPlace) || inPlace.ValueKind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False;
        return containersBind && inPlaceBinds;
    }

    private static bool BindsDefined<TEnum>(JsonElement value, out TEnum bound)
        where TEnum : struct, Enum
    {
        bound = default;
        if (value.ValueKind == JsonValueKind.String)
        {
            return Enum.TryParse(value.GetString(), ignoreCase: true, out bound) && Enum.IsDefined(bound);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && Enum.IsDefined(typeof(TEnum), number))
        {
            bound = (TEnum)Enum.ToObject(typeof(TEnum), number);
            return true;
        }

        return false;
    }

    private static bool TryBind(FuzzRequest request, out Dictionary<string, JsonElement> fields)
    {
        fields = new(StringComparer.OrdinalIgnoreCase);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType is null
            || !(type.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase) || type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        // Decoded leniently: System.Text.Json checks UTF-8 only in what it reads, so invalid bytes in
        // the name of a property it skips still leave a body that binds.
        string text;
        try
        {
            var encoding = string.IsNullOrEmpty(type.CharSet) || type.CharSet.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                ? Encoding.UTF8
                : Encoding.GetEncoding(type.CharSet);
            text = encoding.GetString(request.Body).TrimStart('\ufeff');
        }
        catch (ArgumentException)
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            foreach (var property in json.RootElement.EnumerateObject())
            {
                fields[property.Name] = property.Value.Clone();
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private Gen<FuzzRequest> Request(FuzzEndpoint endpoint, FuzzTenant tenant)
    {
        var typed = Typed(endpoint);
        var wrong = WrongTyped(endpoint);
        Gen<FuzzRequest> Shape(string shape, Gen<string?> contentType, Gen<byte[]> body) =>
            from t in contentType from b in body select new FuzzRequest(endpoint, tenant, shape, t, b);
        Gen<FuzzRequest> JsonShape(string shape, Gen<string> text) => Shape(shape, Gen.Constant<string?>(Json), text.Select(Encoding.UTF8.GetBytes));

        return Gen.Frequency(
            (4, JsonShape("typed", typed.Select(ObjectText))),
            (3, JsonShape("wrong-type", wrong.Select(ObjectText))),
            (1, Shape("random-bytes", Gen.Elements<string?>(Json, "application/octet-stream", null), Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)))),
            (1, JsonShape("truncated", from text in typed.Select(ObjectText) from cut in Gen.Choose(0, text.Length - 1) select text[..cut])),
            (1, JsonShape("root", from text in typed.Select(ObjectText)
                                  from root in Gen.Elements($"[{text}]", JsonSerializer.Serialize(text), "[]", "42", "true", "null", "\"\"", "-1e999")
                                  select root)),
            (1, JsonShape("huge", from fields in typed from huge in Huge(fields) select ObjectText(huge))),
            (1, JsonShape("deep", from fields in typed from deep in Deep(fields) select deep)),
            (1, JsonShape("duplicate", from fields in typed from dup in Duplicated(fields) select ObjectText(dup))),
            (1, Shape("non-utf8", Gen.Elements<string?>(Json, Json + "; charset=utf-8"), typed.Select(ObjectText).SelectMany(NotUtf8))),
            (1, Shape("content-type", Gen.Elements(new string?[] { null }.Concat(WrongContentTypes)), typed.Select(ObjectText).Select(Encoding.UTF8.GetBytes))),
            (2, JsonShape("mutated", typed.Select(ObjectText).SelectMany(KeyArnGenerators.Mutated))));
    }

    /// <summary>
    /// A well-formed body that changes nothing on the <see cref="FuzzTenant.Ckm"/> tenant even if
    /// accepted: the EKM tenant's key (its policy admits no other tenant), activation it already has,
    /// a restore with nothing backed up.
    /// </summary>
    public string WellTypedBody(FuzzEndpoint endpoint) => endpoint switch
    {
        FuzzEndpoint.Validate or FuzzEndpoint.UpdateKey => ObjectText([("keyArn", JsonSerializer.Serialize(world.EkmKeyArn))]),
        FuzzEndpoint.Enable => ObjectText([("keyArn", JsonSerializer.Serialize(world.EkmKeyArn)), ("acceptTerms", "true"), ("termsVersion", JsonSerializer.Serialize(world.TermsVersion))]),
        FuzzEndpoint.Availability => ObjectText([("activated", "true")]),
        _ => ObjectText([("kind", "\"Restore\""), ("product", "\"Microsoft365\""), ("variant", "\"restore\"")]),
    };

    /// <summary>A request whose body is well formed and well typed (not necessarily acceptable).</summary>
    private Gen<FuzzRequest> WellTyped(FuzzEndpoint endpoint, FuzzTenant tenant) =>
        Typed(endpoint).Select(fields => new FuzzRequest(endpoint, tenant, "typed", Json, Encoding.UTF8.GetBytes(ObjectText(fields))));

    /// <summary>Every field of the body with a value of the right JSON type; values range from right to refused.</summary>
    private Gen<List<(string Name, string Value)>> Typed(FuzzEndpoint endpoint) => endpoint switch
    {
        FuzzEndpoint.Validate or FuzzEndpoint.UpdateKey => KeyArnValue.Select(arn => new List<(string, string)> { ("keyArn", arn) }),
        FuzzEndpoint.Enable =>
            from arn in KeyArnValue
            from accept in Gen.Frequency((3, Gen.Constant("true")), (1, Gen.Constant("false")))
            from terms in TermsVersionValue
            select new List<(string, string)> { ("keyArn", arn), ("acceptTerms", accept), ("termsVersion", terms) },
        FuzzEndpoint.Availability => Gen.Elements("true", "false").Select(a => new List<(string, string)> { ("activated", a) }),
        _ => JobFields,
    };

    /// <summary>The typed body with one or more values of a wrong JSON type, nulls, or missing fields.</summary>
    private Gen<List<(string Name, string Value)>> WrongTyped(FuzzEndpoint endpoint) =>
        Typed(endpoint).SelectMany(fields =>
            Gen.CollectToList(fields, field =>
                Gen.Frequency(
                    (2, Gen.Constant<(string, string)?>(field)),
                    (2, Gen.Elements(WrongFor(field.Name)).Select(v => ((string, string)?)(field.Name, v))),
                    (1, Gen.Constant<(string, string)?>((field.Name, "null"))),
                    (1, Gen.Constant<(string, string)?>(null))))
            .Select(list => list.OfType<(string, string)>().ToList()));

    private static string[] WrongFor(string field) => field switch
    {
        "acceptTerms" or "activated" or "inPlace" => WrongForBool,
        "kind" or "product" => WrongForEnum,
        "containers" => WrongForList,
        _ => WrongForString,
    };

    private Gen<string> KeyArnValue =>
        Gen.Frequency(
            (3, KeyArnGenerators.AnyText.Select(t => t ?? "")),
            (3, Gen.Elements<string>(world.UsableKeys).SelectMany(arn => KeyArnGenerators.Mutated(arn))),
            (3, Gen.Elements<string>(world.RefusedKeys)),
            (2, KeyArnGenerators.ValidArn),
            (1, KeyArnGenerators.KeyId.Select(id => $"arn:aws:kms:us-east-1:{world.CustomerAccount}:key/{id}")),
            (1, KeyArnGenerators.AliasName.Select(name => $"arn:aws:kms:us-east-1:{world.CustomerAccount}:alias/{name}")),
            (1, Gen.OneOf(KeyArnGenerators.AzureKeyVaultKeyId, KeyArnGenerators.GoogleCloudKmsKeyName)),
            (1, Gen.Elements<string>(world.UsableKeys)))
        .Select(arn => JsonSerializer.Serialize(arn));

    private Gen<string> TermsVersionValue =>
        Gen.Frequency(
            (3, Gen.Constant(world.TermsVersion)),
            (1, Gen.Elements("", " ", " " + world.TermsVersion, world.TermsVersion + "\n", "2026-11-02", "1", "latest", world.TermsVersion.Replace('-', '/'))),
            (1, KeyArnGenerators.AnyText.Select(t => t ?? "")))
        .Select(terms => JsonSerializer.Serialize(terms));

    private static Gen<List<(string Name, string Value)>> JobFields =>
        from kind in Gen.Elements(JobCatalog.Variants.Keys.ToArray())
        from kindText in Gen.Frequency(
            (4, Gen.Constant(JsonSerializer.Serialize(kind.ToString()))),
            (1, Gen.Constant(JsonSerializer.Serialize(kind.ToString().ToLowerInvariant()))),
            (1, Gen.Constant(((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (2, Gen.Elements(WrongForEnum)))
        from product in Gen.Frequency(
            (4, Gen.Elements(Enum.GetNames<Product>()).Select(p => JsonSerializer.Serialize(p))),
            (1, Gen.Elements("3", "99", "-1", "\"Office365\"", "\"Microsoft 365\"", "\"M365\"", "\"3\"", "\"\"")))
        from variant in Gen.Frequency(
            (4, Gen.Elements(JobCatalog.Variants[kind].ToArray())),
            (1, Gen.Elements(JobCatalog.Variants.Values.SelectMany(v => v).Distinct().ToArray())),
            (1, Gen.Elements("", " ", "MANUAL", "manual ", "../manual", "webdav\n")))
        from containers in Gen.Frequency(
            (2, Gen.Constant<string[]?>(null)),
            (3, Gen.NonEmptyListOf(Gen.Elements(Traversals)).Select(l => (string[]?)[.. l])),
            (1, Gen.ListOf(KeyArnGenerators.AnyText.Select(t => t ?? "")).Select(l => (string[]?)[.. l])),
            (1, Gen.Elements<string[]?>(["mailbox-1-a1b2c3"], ["site-2-000000", "team-1-ffffff"], [])))
        from inPlace in Gen.Elements<string?>(null, "true", "false")
        select new List<(string, string)>
        {
            ("kind", kindText),
            ("product", product),
            ("variant", JsonSerializer.Serialize(variant)),
        }
        .Concat(containers is null ? [] : [("containers", JsonSerializer.Serialize(containers))])
        .Concat(inPlace is null ? [] : [("inPlace", inPlace)])
        .ToList();

    private static Gen<List<(string Name, string Value)>> Huge(List<(string Name, string Value)> fields) =>
        from length in Gen.Choose(10_000, 150_000)
        from c in Gen.Elements('a', '9', ' ', 'é', '\u0000')
        from which in Gen.Choose(0, 2)
        let huge = which switch
        {
            0 => JsonSerializer.Serialize(new string(c, length)),
            1 => new string('1', length),
            _ => JsonSerializer.Serialize(Enumerable.Repeat("mailbox-1", length / 10)),
        }
        from at in Gen.Choose(0, fields.Count)
        select at == fields.Count
            ? fields.Append((new string('k', length), "1")).ToList()
            : fields.Select((f, i) => i == at ? (f.Name, huge) : f).ToList();

    private static Gen<string> Deep(List<(string Name, string Value)> fields) =>
        from depth in Gen.Choose(65, 5_000)
        from open in Gen.Elements("[", "{\"a\":")
        let close = open == "[" ? "]" : "}"
        let nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth))
        from at in Gen.Choose(0, fields.Count)
        select at == fields.Count
            ? nested
            : ObjectText(fields.Select((f, i) => i == at ? (f.Name, nested) : f).ToList());

    /// <summary>A field repeated, the last time (under some spelling of its name) with a value of the wrong type.</summary>
    private static Gen<List<(string Name, string Value)>> Duplicated(List<(string Name, string Value)> fields) =>
        from at in Gen.Choose(0, fields.Count - 1)
        from spelling in Gen.Elements<Func<string, string>>(n => n, n => n.ToUpperInvariant(), n => char.ToUpperInvariant(n[0]) + n[1..])
        from wrong in Gen.Elements(WrongFor(fields[at].Name))
        select fields.Append((spelling(fields[at].Name), wrong)).ToList();

    private static Gen<byte[]> NotUtf8(string text) =>
        Gen.OneOf(
            Gen.Elements<Encoding>(Encoding.Unicode, Encoding.BigEndianUnicode, Encoding.UTF32)
                .SelectMany(e => Gen.Elements(e.GetBytes(text), [.. e.GetPreamble(), .. e.GetBytes(text)])),
            from bad in Gen.Elements(BadUtf8)
            from at in Gen.Choose(0, text.Length)
            let bytes = Encoding.UTF8.GetBytes(text[..at])
            select (byte[])[.. bytes, .. bad, .. Encoding.UTF8.GetBytes(text[at..])],
            Gen.Constant(Encoding.Latin1.GetBytes(text.Replace("\"", "\"é", StringComparison.Ordinal))));

    private static Gen<(string Value, bool Raw)> MalformedRoute(string tenant) =>
        Gen.OneOf(
            Gen.Elements(
                tenant.ToUpperInvariant(), char.ToUpperInvariant(tenant[0]) + tenant[1..], tenant + "-", "-" + tenant, tenant + "_x", tenant + ".",
                tenant + " ", " " + tenant, tenant + "\n", tenant + "\r\n", tenant + "\t", tenant + "\u200b", tenant + "é",
                tenant + "/..", "../" + tenant, tenant.Replace('-', '_'), tenant.PadRight(64, 'a'), tenant.PadRight(300, 'a'),
                "", ".", "..", "...", "-", "a--", "a_b", "CON", "Null", new string('a', 64), "é", "tenant\ud83d\ude00", "../../etc/passwd")
                .Where(v => !TenantIdRule().IsMatch(v))
                .Select(v => (v, false)),
            Gen.Elements("%2e%2e", "%2E%2E%2Fetc", "..%2f..%2fetc", "%0a", tenant + "%0A", tenant + "%0D", "%20", "C:%5C", "%5C..%5C", tenant + "%2F..")
                .Select(v => (v, true)),
            KeyArnGenerators.Word("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~ ", 1, 80)
                .Where(v => !TenantIdRule().IsMatch(v))
                .Select(v => (v, false)));

    private static string ObjectText(List<(string Name, string Value)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{JsonSerializer.Serialize(f.Name)}:{f.Value}")) + "}";

    // DNS labels, as Ekm.Tenants.TenantId documents them.
    [GeneratedRegex(@"\A(?=.{1,63}\z)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex TenantIdRule();

    // The service's own id rule for containers (DataPaths): what a job may name.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerId();
}
