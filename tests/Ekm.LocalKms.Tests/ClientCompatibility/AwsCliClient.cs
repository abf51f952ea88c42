using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>
/// <c>aws kms &lt;operation&gt; --endpoint-url … --output json</c>: API names become the CLI's
/// kebab-case options, bytes go in as <c>fileb://</c> files and come out as base64, and a KMS
/// error is the code in "An error occurred (Code) when calling …" on stderr.
/// </summary>
public sealed partial class AwsCliClient(KmsClientSession session, string accessKeyId, string secretAccessKey) : IKmsClient
{
    public async Task<KmsAnswer> CallAsync(string operation, params (string Name, object Value)[] input)
    {
        List<string> arguments = ["kms", Kebab(operation)];
        foreach (var (name, value) in input)
        {
            arguments.AddRange(Option(name, value));
        }

        arguments.AddRange(["--endpoint-url", session.Endpoint.ToString(), "--region", KmsClientSession.Region, "--output", "json"]);
        var run = await ToolProcess.RunAsync("aws", arguments, session.Environment(accessKeyId, secretAccessKey), session.Folder);
        if (run.ExitCode == 0)
        {
            return KmsAnswer.Success(run.Stdout, run);
        }

        // CLI v1 exits 255 on a service error, v2 254; anything else is the CLI failing, not KMS.
        var error = ServiceError().Match(run.Stderr);
        Assert.True(run.ExitCode is 254 or 255 && error.Success, $"aws did not report a KMS error.\n{run.Transcript}");
        return KmsAnswer.Failure(error.Groups["code"].Value, run);
    }

    private string[] Option(string name, object value) => value switch
    {
        true => [$"--{Kebab(name)}"],
        false => [$"--no-{Kebab(name)}"],
        string text => [$"--{Kebab(name)}", text],
        int number => [$"--{Kebab(name)}", number.ToString(CultureInfo.InvariantCulture)],
        byte[] bytes => [$"--{Kebab(name)}", "fileb://" + session.WriteFile(bytes)],
        IReadOnlyDictionary<string, string> map => [$"--{Kebab(name)}", JsonSerializer.Serialize(map)],
        IEnumerable<string> list => [$"--{Kebab(name)}", .. list],
        _ => throw new ArgumentException($"{name}: the AWS CLI client cannot pass a {value.GetType().Name}.", nameof(value)),
    };

    private static string Kebab(string apiName) => UpperAfterLower().Replace(apiName, "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex UpperAfterLower();

    [GeneratedRegex(@"An error occurred \((?<code>[A-Za-z0-9]+)\) when calling the [A-Za-z0-9]+ operation")]
    private static partial Regex ServiceError();
}
