using System.CommandLine;
using System.Globalization;
using Ekm.Cli.Api;
using Ekm.Cli.Jobs;
using Ekm.Jobs;
using Ekm.Problems;

namespace Ekm.Cli.Commands;

/// <summary>Start, watch, cancel and list jobs; every operation of a job is gated by the tenant's key.</summary>
internal static class JobCommands
{
    public static Command Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var kind = new Option<JobKind>("--kind") { Description = "The workflow", Required = true };
        var product = new Option<Product>("--product") { Description = "The protected product", Required = true };
        var variant = new Option<string>("--variant")
        {
            Description = "The workflow's variant: Backup manual|scheduled|bulk; Restore restore|mds|user-portal|user-client; " +
                "Download restore|mds|pst|mbox|pst-url|user-portal|user-client; LegalHoldDownload webdav; discovery and configuration: see docs/cli.md",
            Required = true,
        };
        var containers = new Option<string[]>("--container")
        {
            Description = "Limit the job to this container (mailbox, site, drive...); repeat for more",
        };
        var inPlace = new Option<bool>("--in-place") { Description = "Restores: write back over the live data instead of a copy" };
        var watchToo = new Option<bool>("--watch") { Description = "Then watch it (as 'ekm jobs watch')" };
        var interval = IntervalOption();
        var start = new Command("start", "Start a job (202); prints its id.") { kind, product, variant, containers, inPlace, watchToo, interval };
        runner.Action(start, (context, ct) => StartAsync(context,
            new { kind = context.Get(kind).ToString(), product = context.Get(product).ToString(), variant = context.Get(variant), containers = context.Parse.GetValue(containers) ?? [], inPlace = context.Get(inPlace) },
            context.Get(watchToo) ? context.Get(interval) : null, ct));

        var watchId = JobIdArgument();
        var watchInterval = IntervalOption();
        var watch = new Command("watch", "Follow a job until it ends: a progress bar on a terminal, lines otherwise. Exits 0 succeeded, 8 failed, 9 cancelled.") { watchId, watchInterval };
        runner.Action(watch, (context, ct) => WatchAsync(context, context.Get(watchId), context.Get(watchInterval), ct));

        var cancelId = JobIdArgument();
        var cancel = new Command("cancel", "Stop a job before its next operation (the running one finishes).") { cancelId };
        runner.Action(cancel, (context, ct) => CancelAsync(context, context.Get(cancelId), ct));

        var limit = OperatorCommands.LimitOption();
        var list = new Command("list", "The tenant's recent jobs, newest first, and failures by reason.") { limit };
        runner.Action(list, (context, ct) => OperatorCommands.JobsAsync(context, context.Get(limit), ct));

        return new Command("jobs", "Jobs: backup, restore, download, discovery, workload configuration.") { start, watch, cancel, list };
    }

    private static Argument<string> JobIdArgument() => new("job-id") { Description = "The job id (32 hex digits), as 'ekm jobs start' printed it" };

    private static Option<int> IntervalOption() => new("--interval")
    {
        Description = "Milliseconds between status polls",
        DefaultValueFactory = _ => 500,
    };

    private static async Task<int> StartAsync(CliContext context, object body, int? watchInterval, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant;
        var response = await context.Api.SendAsync(HttpMethod.Post, $"{EkmApi.Tenant(tenant)}/jobs", body, cancellationToken);
        var status = ApiJson.Read<JobStatus>(response.Json);
        if (watchInterval is { } interval)
        {
            context.Note($"Started {status.Spec.Kind} job {status.JobId} ({status.OperationsTotal} operations).");
            return await WatchAsync(context, status.JobId, interval, cancellationToken);
        }

        if (context.Json)
        {
            context.WriteJson(response.Json);
        }
        else
        {
            context.Line(status.JobId);
            context.Note($"Started {status.Spec.Kind} job {status.JobId} ({status.OperationsTotal} operations): {response.Location}. Follow it with: ekm jobs watch {status.JobId} --tenant {tenant}");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> WatchAsync(CliContext context, string jobId, int intervalMs, CancellationToken cancellationToken)
    {
        if (intervalMs < 50)
        {
            throw CliException.Usage("--interval must be at least 50 milliseconds.");
        }

        var watcher = new JobWatcher(context.Api, context.Out, context.Terminal, quiet: context.Json);
        var (status, json) = await watcher.WatchAsync(context.Tenant, jobId, TimeSpan.FromMilliseconds(intervalMs), cancellationToken);
        if (context.Json)
        {
            context.WriteJson(json);
        }

        switch (status.State)
        {
            case JobState.Succeeded:
                return ExitCodes.Ok;
            case JobState.Cancelled:
                context.Err.WriteLine($"error: job {jobId} was cancelled after {status.OperationsDone.ToString(CultureInfo.InvariantCulture)} of {status.OperationsTotal.ToString(CultureInfo.InvariantCulture)} operations (cancelled)");
                return ExitCodes.JobCancelled;
            default:
                context.Err.WriteLine($"error: job {jobId} failed: {status.FailureDetail ?? "no detail"} ({status.FailureSlug ?? ProblemSlugs.InternalError})");
                return ExitCodes.JobFailed;
        }
    }

    private static async Task<int> CancelAsync(CliContext context, string jobId, CancellationToken cancellationToken)
    {
        var json = await context.Api.PostAsync(JobWatcher.Path(context.Tenant, jobId) + "/cancel", null, cancellationToken);
        context.Write(json, () =>
        {
            var status = ApiJson.Read<JobStatus>(json);
            context.Line(status.State == JobState.Running
                ? $"Cancel requested: job {jobId} stops before its next operation ({JobWatcher.Progress(status)})."
                : $"Job {jobId} had already ended: {JobWatcher.Progress(status)}.");
        });
        return ExitCodes.Ok;
    }
}
