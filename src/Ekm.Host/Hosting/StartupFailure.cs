using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Hosting;

/// <summary>
/// Runs the host; a configuration mistake ends the process with one readable list of every
/// problem (exit code 2) instead of a stack trace.
/// </summary>
internal static class StartupFailure
{
    public const int ConfigurationExitCode = 2;

    /// <summary>The answer for a port another program took between the start-up check and the bind.</summary>
    public const string PortTakenWhileStarting =
        "a port Ekm.Host listens on is already in use: another program took it while Ekm.Host started. Start it again, or choose other ports with --urls, --Orleans:SiloPort, --Orleans:GatewayPort and --Ekm:LocalKms:Port.";

    public static async Task<int> RunAsync(WebApplicationBuilder builder)
    {
        WebApplication? app = null;
        try
        {
            // Orleans reads its provider sections while the host is composed: an unknown provider fails here.
            builder.AddEkmHost();
            app = builder.Build();
            app.MapEkmHost();

            // Validate every ValidateOnStart option here, before the silo's services read any of them:
            // the host would otherwise stop at the first bad section and log a stack trace.
            app.Services.GetService<IStartupValidator>()?.Validate();

            // The ports were free when checked; one taken before the bind gets the same readable answer.
            await app.StartAsync();
        }
        catch (Exception ex) when (Problems(ex) is { Count: > 0 } problems)
        {
            await Console.Error.WriteLineAsync("Ekm.Host cannot start; fix the configuration and start it again:");
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"  - {problem}");
            }

            if (app is not null)
            {
                await app.DisposeAsync();
            }

            return ConfigurationExitCode;
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>The configuration problems an exception reports, or none if it is not about configuration.</summary>
    public static List<string> Problems(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate when aggregate.InnerExceptions.All(e => Problems(e).Count > 0) =>
            [.. aggregate.InnerExceptions.SelectMany(Problems)],
        InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            [conversion.Message],
        InvalidOperationException provider when provider.Message.StartsWith("Could not find ", StringComparison.Ordinal)
            && provider.Message.Contains(" provider named ", StringComparison.Ordinal) =>
            [provider.Message],
        // Orleans throws the first; Kestrel wraps it in "Failed to bind to address".
        AddressInUseException or IOException { InnerException: AddressInUseException } => [PortTakenWhileStarting],
        _ => [],
    };
}
