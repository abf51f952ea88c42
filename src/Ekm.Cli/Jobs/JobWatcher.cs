using System.Globalization;
using System.Text;
using Ekm.Cli.Api;
using Ekm.Cli.Text;
using Ekm.Jobs;

namespace Ekm.Cli.Jobs;

/// <summary>
/// Polls a job until it ends. On a terminal it redraws one progress line (operations and bytes);
/// otherwise it writes a line whenever the state or the operation count changes.
/// </summary>
internal sealed class JobWatcher(EkmApi api, TextWriter output, bool terminal, bool quiet)
{
    private const int BarWidth = 24;

    public static string Path(string tenantId, string jobId) => $"{EkmApi.Tenant(tenantId)}/jobs/{Uri.EscapeDataString(jobId)}";

    /// <summary>Waits for the job to end and returns its last status (the API's JSON and the record).</summary>
    public async Task<(JobStatus Status, System.Text.Json.JsonElement Json)> WatchAsync(string tenantId, string jobId, TimeSpan interval, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        (JobState, int)? shown = null;
        var drawn = 0;
        while (true)
        {
            var json = await api.GetAsync(Path(tenantId, jobId), cancellationToken);
            var status = ApiJson.Read<JobStatus>(json);
            var finished = status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
            if (!quiet)
            {
                if (terminal)
                {
                    var line = Bar(status);
                    output.Write("\r" + line + new string(' ', Math.Max(0, drawn - line.Length)));
                    drawn = line.Length;
                    if (finished)
                    {
                        output.WriteLine();
                    }
                }
                else if (shown != (status.State, status.OperationsDone))
                {
                    shown = (status.State, status.OperationsDone);
                    output.WriteLine($"{Format.Clock(DateTimeOffset.UtcNow)}  {Progress(status)}");
                }

                await output.FlushAsync(cancellationToken);
            }

            if (finished)
            {
                if (!quiet)
                {
                    output.WriteLine(Outcome(status, TimeProvider.System.GetElapsedTime(started)));
                }

                return (status, json);
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    public static string Progress(JobStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var bytes = status.BytesTotal > 0 ? $", {Format.Bytes(status.BytesDone)} of {Format.Bytes(status.BytesTotal)}" : "";
        return $"{status.State,-9} {status.OperationsDone}/{status.OperationsTotal} operations{bytes}";
    }

    public static string Outcome(JobStatus status, TimeSpan watched)
    {
        ArgumentNullException.ThrowIfNull(status);
        var what = $"{status.Spec.Kind} job {status.JobId}";
        return status.State switch
        {
            JobState.Succeeded => $"{what} succeeded: {status.OperationsDone}/{status.OperationsTotal} operations, {Format.Count(status.BytesDone)} bytes (watched {Format.Seconds(watched)}).",
            JobState.Failed => $"{what} failed at operation {status.OperationsDone + 1} of {status.OperationsTotal} ({status.OperationsDone} done): {status.FailureSlug}.",
            _ => $"{what} was cancelled after {status.OperationsDone}/{status.OperationsTotal} operations.",
        };
    }

    private static string Bar(JobStatus status)
    {
        var fraction = status.BytesTotal > 0 ? (double)status.BytesDone / status.BytesTotal
            : status.OperationsTotal > 0 ? (double)status.OperationsDone / status.OperationsTotal : 0;
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * BarWidth);
        var bar = new StringBuilder().Append('[').Append('#', filled).Append('-', BarWidth - filled).Append(']');
        return string.Create(CultureInfo.InvariantCulture, $"{bar} {fraction * 100,3:0}%  {Progress(status)}");
    }
}
