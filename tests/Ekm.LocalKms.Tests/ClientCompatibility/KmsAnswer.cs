using System.Text.Json;

namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>
/// A client's answer: the response as the client printed it (binary members as base64), or the
/// AWS error code it reported.
/// </summary>
public sealed record KmsAnswer(JsonElement Output, string? ErrorCode, string Transcript)
{
    public static KmsAnswer Success(string json, ToolRun run) =>
        new(JsonSerializer.Deserialize<JsonElement>(string.IsNullOrWhiteSpace(json) ? "{}" : json), null, run.Transcript);

    public static KmsAnswer Failure(string errorCode, ToolRun run) => new(default, errorCode, run.Transcript);

    /// <summary>The response, after asserting that the call succeeded.</summary>
    public JsonElement Ok()
    {
        Assert.True(ErrorCode is null, $"The call failed with {ErrorCode}.\n{Transcript}");
        return Output;
    }
}

public static class KmsJson
{
    public static string Text(this JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"{name} is null.");

    public static byte[] Bytes(this JsonElement element, string name) => Convert.FromBase64String(element.Text(name));

    public static bool Flag(this JsonElement element, string name) => element.GetProperty(name).GetBoolean();

    public static IEnumerable<string> Texts(this JsonElement element, string list, string name) =>
        element.GetProperty(list).EnumerateArray().Select(item => item.Text(name));
}
