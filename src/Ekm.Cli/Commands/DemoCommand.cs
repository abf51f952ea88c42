using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ekm.Cli.Api;
using Ekm.Cli.Aws;
using Ekm.Cli.Demo;

namespace Ekm.Cli.Commands;

/// <summary><c>ekm demo</c>: the whole story, on a host of its own (a child process) or on a running one.</summary>
internal static class DemoCommand
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    public static Command Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var hostDll = new Option<string?>("--host-dll")
        {
            Description = $"The Ekm.Host.dll to start [env {HostLocator.Variable}; default: beside ekm, or the host's build folder next to ekm's]",
            HelpName = "PATH",
            DefaultValueFactory = _ => GlobalOptions.Env(HostLocator.Variable),
        };
        var kmsUrl = new Option<string>("--kms-url")
        {
            Description = $"With --url: the running host's local KMS [env {AwsOptions.UrlVariable}; default {LocalKmsDefaults.Endpoint}]",
            HelpName = "URL",
            DefaultValueFactory = _ => GlobalOptions.Env(AwsOptions.UrlVariable) ?? LocalKmsDefaults.Endpoint,
        };
        var latency = new Option<int>("--latency")
        {
            Description = "Milliseconds the local KMS adds to every Decrypt with the customer key while the key is revoked during a backup; " +
                "the key is disabled 40% into an admission's wait",
            DefaultValueFactory = _ => 2000,
        };
        var keepData = new Option<bool>("--keep-data") { Description = "Keep the child host's temporary data directory (printed) for a look afterwards" };
        var demo = new Command("demo",
            "Run the whole story and print a timeline: activate, customer key, validate, enable, backup, restore, revocation during a backup, " +
            "recovery. Starts its own host (a child process on free ports) unless --url is given; exits 0 if everything went as expected.")
        {
            hostDll, kmsUrl, latency, keepData,
        };
        runner.Action(demo, (context, ct) => RunAsync(context, context.Parse.GetValue(hostDll), context.Get(kmsUrl), context.Get(latency), context.Get(keepData), ct));
        return demo;
    }

    private static async Task<int> RunAsync(CliContext context, string? hostDll, string kmsUrl, int latencyMs, bool keepData, CancellationToken cancellationToken)
    {
        if (latencyMs is < 500 or > 10_000)
        {
            throw CliException.Usage("--latency must be between 500 and 10000 milliseconds.");
        }

        var tenant = context.TenantOrNull ?? "demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var timeline = new Timeline(context.Out, print: !context.Json);
        ChildHost? host = null;
        DemoStory? story = null;
        try
        {
            Uri url, kms;
            string apiKey;
            if (context.UrlGiven)
            {
                url = context.Url;
                apiKey = context.ApiKey ?? throw CliException.Usage(
                    "With --url the demo uses that host: give --api-key (or EKM_API_KEY) of a key with the TenantAdmin, Support and Operator roles for every tenant.");
                kms = Uri.TryCreate(kmsUrl, UriKind.Absolute, out var k) ? k : throw CliException.Usage($"--kms-url must be a URL, not '{kmsUrl}'.");
                timeline.Add("ekm", $"using the running host at {url} and its local KMS at {kms}; tenant {tenant}");
            }
            else
            {
                var dll = HostLocator.Find(hostDll, AppContext.BaseDirectory);
                apiKey = "ekm_demo_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                timeline.Add("ekm", $"starting {dll} (Development, embedded local KMS, API key configured by its SHA-256)");
                host = await ChildHost.StartAsync(dll, apiKey, keepData, StartLimit, cancellationToken);
                (url, kms) = (host.Url, host.KmsUrl);
                timeline.Add("ekm", string.Create(CultureInfo.InvariantCulture,
                    $"host pid {host.ProcessId} ready at {url} (local KMS {kms}, data {host.DataDirectory}); tenant {tenant}"));
            }

            using var api = new EkmApi(url, apiKey);
            using var customer = new CustomerKms(kms, LocalKmsDefaults.Region, LocalKmsDefaults.CustomerAccessKeyId, LocalKmsDefaults.CustomerSecretAccessKey);
            using var controls = new LocalKmsControls(kms);
            story = new DemoStory(api, customer, controls, tenant, timeline, latencyMs);
            await story.RunAsync(cancellationToken);
            timeline.Add("ekm", "the story went as expected: revocation stopped the service at the next operation, and it recovered when the key came back");
        }
        catch (CliException ex) when (context.Json && ex.ExitCode != ExitCodes.Interrupted)
        {
            context.WriteJson(Report(tenant, story, timeline, ex.Message));
            context.Err.WriteLine($"error: {ex.Message} ({ex.Slug})");
            return ex.ExitCode;
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
                timeline.Add("ekm", keepData ? $"host stopped; data kept in {host.DataDirectory}" : "host stopped, its temporary data removed");
            }
        }

        if (context.Json)
        {
            context.WriteJson(Report(tenant, story, timeline, null));
        }

        return ExitCodes.Ok;
    }

    private static JsonObject Report(string tenant, DemoStory? story, Timeline timeline, string? error) => new()
    {
        ["ok"] = error is null,
        ["tenant"] = tenant,
        ["keyArn"] = story?.KeyArn is { Length: > 0 } arn ? arn : null,
        ["failedStep"] = story?.FailedStep,
        ["error"] = error,
        ["timeline"] = ApiJson.ToElement(timeline.Entries) is var entries ? JsonNode.Parse(entries.GetRawText()) : null,
    };
}
