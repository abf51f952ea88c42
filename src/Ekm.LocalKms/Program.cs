using System.Runtime.InteropServices;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms;

/// <summary>Standalone: <c>dotnet run --project src/Ekm.LocalKms -- --port 4599 [--data FILE]</c>.</summary>
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
        configuration.GetSection("LocalKms").Bind(options);
        if (options.Port is < 0 or > 65535)
        {
            await Console.Error.WriteLineAsync($"--port {options.Port} is not a TCP port (0-65535).");
            return 2;
        }

        await using var server = await LocalKmsServer.StartAsync(options, logging: l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        Console.WriteLine($"Local KMS listening on {server.Endpoint} ({(string.IsNullOrWhiteSpace(options.DataFile) ? "in memory" : options.DataFile)})");
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
