using System.Runtime.InteropServices;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms;

/// <summary>
/// Standalone: <c>dotnet run --project src/Ekm.LocalKms -- --port 4599 [--data FILE]</c>. The store
/// key is read from the environment (<c>LocalKms__StoreKey</c>) and has no switch, as a command line
/// is visible to other users of the machine; without it, a key file beside the data file is used.
/// </summary>
internal static class LocalKmsProgram
{
    public static async Task<int> Main(string[] args)
    {
        var switches = new Dictionary<string, string>
        {
            ["--port"] = "LocalKms:Port",
            ["--data"] = "LocalKms:DataFile",
        };
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args, switches)
            .Build();
        var options = new LocalKmsOptions { DataFile = Path.Combine("data", "localkms.db") };
        configuration.GetSection(LocalKmsOptions.Section).Bind(options);
        var problems = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            problems.Add($"--port {options.Port} is not a TCP port (0-65535).");
        }

        if (new LocalKmsOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            problems.AddRange(invalid.Failures);
        }

        if (problems.Count > 0)
        {
            return await CannotStartAsync(problems);
        }

        LocalKmsServer server;
        try
        {
            server = await LocalKmsServer.StartAsync(options, logging: l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        }
        catch (InvalidDataException ex)
        {
            // The store key does not open the data file: say which file and stop, leaving it as it is.
            return await CannotStartAsync([ex.Message]);
        }

        await using (server)
        {
            return await RunAsync(server, options);
        }
    }

    private static async Task<int> CannotStartAsync(IEnumerable<string> problems)
    {
        await Console.Error.WriteLineAsync("The local KMS cannot start; fix this and start it again:");
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync($"  - {problem}");
        }

        return 2;
    }

    private static async Task<int> RunAsync(LocalKmsServer server, LocalKmsOptions options)
    {
        var storage = string.IsNullOrWhiteSpace(options.DataFile) ? "in memory"
            : string.IsNullOrWhiteSpace(options.StoreKey) ? $"{options.DataFile}, sealed with the key file {LocalKmsServer.StoreKeyFileFor(options.DataFile)}"
            : $"{options.DataFile}, sealed with {LocalKmsOptions.Section}:StoreKey";
        Console.WriteLine($"Local KMS listening on {server.Endpoint} ({storage})");
        foreach (var account in server.Accounts)
        {
            foreach (var key in account.AccessKeys)
            {
                Console.WriteLine($"  account {account.AccountId} ({account.Name}): AWS_ACCESS_KEY_ID={key.AccessKeyId} AWS_SECRET_ACCESS_KEY={key.SecretAccessKey}");
            }
        }

        Console.WriteLine($"  try: aws kms list-keys --endpoint-url {server.Endpoint} --region us-east-1");
        Console.WriteLine("Press Ctrl+C to stop.");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        // SIGTERM (docker stop, systemd, kill) stops it like Ctrl+C does.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
        return 0;
    }
}
