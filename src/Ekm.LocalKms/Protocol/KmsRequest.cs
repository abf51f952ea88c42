using System.Text.Json;

namespace Ekm.LocalKms.Protocol;

/// <summary>Typed reads of an AWS JSON 1.1 request body, failing the way KMS validation fails.</summary>
public readonly struct KmsRequest(JsonElement body)
{
    public JsonElement Body => body;

    public string? Text(string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw Serialization(name, "a string")
            : null;

    public string RequiredText(string name) =>
        Text(name) is { Length: > 0 } value ? value : throw Missing(name);

    public byte[]? Bytes(string name)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Serialization(name, "base64-encoded bytes");
        }
    }

    public byte[] RequiredBytes(string name) => Bytes(name) ?? throw Missing(name);

    public int? Number(string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Serialization(name, "an integer")
            : null;

    public bool? Bool(string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Serialization(name, "a boolean")
            : null;

    public IReadOnlyDictionary<string, string>? Map(string name)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Serialization(name, "a map of strings");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
        {
            map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Serialization(name, "a map of strings");
        }

        return map;
    }

    public IReadOnlyList<string>? List(string name)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? v.EnumerateArray().Select(e => e.GetString()!).ToList()
            : throw Serialization(name, "a list of strings");
    }

    public JsonElement? Member(string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static KmsException Missing(string name) =>
        KmsErrors.ValidationFailed($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    private static KmsException Serialization(string name, string expected) =>
        new(KmsErrors.SerializationException, $"{name} must be {expected}.");
}
