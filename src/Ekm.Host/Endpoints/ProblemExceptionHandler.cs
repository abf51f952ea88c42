using Ekm.Problems;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Ekm.Host.Endpoints;

/// <summary>
/// Turns exceptions into problems: expected refusals keep their slug and sentence; anything
/// unexpected becomes a bare <c>internal-error</c> (details go to the log, not the client).
/// </summary>
internal sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            EkmProblemException problem => ProblemResults.Result(problem.Slug, problem.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ProblemResults.Result(ProblemSlugs.RequestTooLarge,
                GatewayLimits.TooLargeDetail(httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)),
            BadHttpRequestException => ProblemResults.Result(ProblemSlugs.InvalidRequestBody,
                "The request body could not be read: send a JSON object as the API documents (see /openapi/v1.json)."),
            _ when ClusterRetryFilter.IsTransient(exception) => ProblemResults.Result(ProblemSlugs.ServiceUnavailable,
                "The service is briefly unavailable while the cluster recovers. Retry in a few seconds."),
            TimeoutException => ProblemResults.Result(ProblemSlugs.ServiceUnavailable,
                "The service did not answer in time. Retry in a few seconds; if it keeps happening, contact support."),
            _ => null,
        };
        if (result is null)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            result = ProblemResults.Result(ProblemSlugs.InternalError,
                "The request failed unexpectedly. It is logged; retry, and contact support if it persists.");
        }

        if (result.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        await result.ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Unhandled failure in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
