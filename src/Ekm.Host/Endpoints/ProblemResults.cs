using Ekm.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ekm.Host.Endpoints;

/// <summary>RFC 9457 problems whose <c>type</c> is a stable slug from <see cref="ProblemSlugs"/>.</summary>
internal static class ProblemResults
{
    /// <summary>Writes a problem outside an endpoint (authentication challenges).</summary>
    public static Task WriteAsync(HttpContext context, string slug, string detail) =>
        Result(slug, detail).ExecuteAsync(context);

    public static ProblemHttpResult Result(string slug, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusOf(slug), title: TitleOf(slug), type: slug);

    public static int StatusOf(string slug) => slug switch
    {
        ProblemSlugs.Unauthenticated => StatusCodes.Status401Unauthorized,
        ProblemSlugs.Forbidden => StatusCodes.Status403Forbidden,
        ProblemSlugs.NotFound => StatusCodes.Status404NotFound,
        ProblemSlugs.RequestTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemSlugs.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ProblemSlugs.EkmNotActivated or ProblemSlugs.EkmIrreversible or ProblemSlugs.EkmAlreadyEnabled
            or ProblemSlugs.EkmNotEnabled or ProblemSlugs.OldKeyUnavailable or ProblemSlugs.KeyRevoked
            or ProblemSlugs.NothingToRestore => StatusCodes.Status409Conflict,
        // The ARN is well formed but KMS says the key cannot serve: the request is understood and refused.
        ProblemSlugs.KeyNotFound or ProblemSlugs.KeyAccessDenied or ProblemSlugs.KeyDisabled or ProblemSlugs.KeyPendingDeletion
            or ProblemSlugs.WrongKeySpec or ProblemSlugs.WrongKeyUsage => StatusCodes.Status422UnprocessableEntity,
        ProblemSlugs.InternalError => StatusCodes.Status500InternalServerError,
        ProblemSlugs.ServiceUnavailable or ProblemSlugs.KmsUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The slug for a bare status code (routing misses, status-code pages).</summary>
    public static string SlugOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => ProblemSlugs.Unauthenticated,
        StatusCodes.Status403Forbidden => ProblemSlugs.Forbidden,
        StatusCodes.Status404NotFound => ProblemSlugs.NotFound,
        StatusCodes.Status413PayloadTooLarge => ProblemSlugs.RequestTooLarge,
        StatusCodes.Status429TooManyRequests => ProblemSlugs.TooManyRequests,
        StatusCodes.Status503ServiceUnavailable => ProblemSlugs.ServiceUnavailable,
        >= 500 => ProblemSlugs.InternalError,
        _ => ProblemSlugs.InvalidRequestBody,
    };

    private static string TitleOf(string slug) => slug switch
    {
        ProblemSlugs.InvalidTenantId => "Invalid tenant id",
        ProblemSlugs.InvalidRequestBody => "Invalid request body",
        ProblemSlugs.Unauthenticated => "Authentication required",
        ProblemSlugs.Forbidden => "Not allowed",
        ProblemSlugs.NotFound => "Not found",
        ProblemSlugs.RequestTooLarge => "Request too large",
        ProblemSlugs.TooManyRequests => "Too many requests",
        ProblemSlugs.EkmNotActivated => "Enterprise Key Management is not activated",
        ProblemSlugs.EkmIrreversible => "Enterprise Key Management cannot be turned off",
        ProblemSlugs.TermsNotAccepted => "Terms not accepted",
        ProblemSlugs.KmsUnavailable => "AWS KMS unavailable",
        ProblemSlugs.OldKeyUnavailable => "Current key unavailable",
        ProblemSlugs.ServiceUnavailable => "Service unavailable",
        ProblemSlugs.InternalError => "Internal error",
        _ => "Request refused",
    };

    /// <summary>Gives framework-made problems (404, 405, ...) our slugs instead of RFC links.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || problem.Type.StartsWith("https://", StringComparison.Ordinal))
        {
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Type = SlugOf(status);
            problem.Detail ??= status switch
            {
                StatusCodes.Status404NotFound => $"Nothing is served at {context.HttpContext.Request.Path}: see /openapi/v1.json for the API.",
                // The body reader stopped at the server's limit (a chunked body declares no length up front).
                StatusCodes.Status413PayloadTooLarge => GatewayLimits.TooLargeDetail(
                    context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize),
                _ => problem.Title,
            };
        }
    }
}
