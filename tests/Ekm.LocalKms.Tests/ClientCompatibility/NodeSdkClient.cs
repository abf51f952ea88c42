using System.Text.Json;

namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>
/// <c>node tests/clients/js/kms.mjs &lt;Operation&gt; &lt;input-json&gt;</c>: one command of the AWS SDK
/// for JavaScript v3 per process. Bytes travel as <c>{"$base64": "…"}</c>; the script prints
/// <c>{"output": …}</c> or <c>{"error": {"name": …}}</c>.
/// </summary>
public sealed class NodeSdkClient(KmsClientSession session, string accessKeyId, string secretAccessKey) : IKmsClient
{
    public async Task<KmsAnswer> CallAsync(string operation, params (string Name, object Value)[] input)
    {
        var members = input.ToDictionary(m => m.Name, m => m.Value is byte[] bytes
            ? new Dictionary<string, string> { ["$base64"] = Convert.ToBase64String(bytes) }
            : m.Value);
        var environment = session.Environment(accessKeyId, secretAccessKey);
        environment["KMS_ENDPOINT"] = session.Endpoint.ToString();
        var folder = ClientTools.JsClientFolder ?? throw new InvalidOperationException("The repository root was not found.");
        var run = await ToolProcess.RunAsync("node", ["kms.mjs", operation, JsonSerializer.Serialize(members)], environment, folder);
        Assert.True(run.ExitCode == 0, $"kms.mjs failed.\n{run.Transcript}");

        var printed = JsonSerializer.Deserialize<JsonElement>(run.Stdout);
        return printed.TryGetProperty("error", out var error)
            ? KmsAnswer.Failure(error.Text("name"), run)
            : KmsAnswer.Success(printed.GetProperty("output").GetRawText(), run);
    }
}
