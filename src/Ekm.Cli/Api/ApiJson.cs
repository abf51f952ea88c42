using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ekm.Cli.Api;

/// <summary>The API's JSON conventions: camelCase names, enums as strings.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>For what the CLI prints: indented, and ARNs and terms left readable (no \u escapes).</summary>
    public static JsonSerializerOptions Printing { get; } = new(Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static T Read<T>(JsonElement json) =>
        json.Deserialize<T>(Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, got null.");

    public static string Print(JsonElement json) => JsonSerializer.Serialize(json, Printing);

    public static string Print<T>(T value) => JsonSerializer.Serialize(value, Printing);

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);
}
