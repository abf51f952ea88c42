using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

namespace Ekm.Host.Endpoints;

/// <summary>
/// Retries an API call whose grain call failed because a silo went away: the message was
/// rejected or the connection failed (the grain reactivates on a surviving silo), or a write lost
/// its ETag to a duplicate activation during failover. Every API operation is safe to repeat:
/// status reads are reads, enable and key updates answer the state a repeat produced, and a job
/// start keeps its job id (<see cref="JobEndpoints"/>). When the retries run out the client gets a
/// 503 <c>service-unavailable</c> problem, never a raw 500.
/// </summary>
internal sealed partial class ClusterRetryFilter(TimeProvider time, ILogger<ClusterRetryFilter> logger) : IEndpointFilter
{
    /// <summary>
    /// How long a request keeps retrying: longer than a surviving silo takes to declare a killed
    /// one dead (15 to 20 s with Orleans' default probes), well inside an HTTP client's timeout.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(4);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = time.GetTimestamp();
        var wait = FirstWait;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (Exception ex) when (IsTransient(ex) && time.GetElapsedTime(started) + wait < Budget
                && !context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                LogRetry(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, attempt, ex.GetType().Name);
                await Task.Delay(wait, time, context.HttpContext.RequestAborted);
                wait = wait * 2 < LongestWait ? wait * 2 : LongestWait;
            }
        }
    }

    /// <summary>Failures that mean "a silo is gone or going", not "the request is wrong".</summary>
    public static bool IsTransient(Exception exception) =>
        exception is OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or InconsistentStateException;

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "{Method} {Path}: retry {Attempt} after {Failure} (a silo is unavailable)")]
    private static partial void LogRetry(ILogger logger, string method, PathString path, int attempt, string failure);
}
