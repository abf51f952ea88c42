using System.Globalization;
using System.Text;
using System.Threading.RateLimiting;
using Ekm.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Ekm.Host.Endpoints;

/// <summary>Options under <c>Ekm:Gateway</c>: how much one request and one tenant may ask of the gateway.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Ekm:Gateway";

    /// <summary>The largest request body accepted. The API's bodies are a few hundred bytes; 64 KiB leaves room and no more.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Requests that call AWS KMS on the vendor's account (validate, enable, key update, health
    /// check) one tenant may make per <see cref="KmsRequestsWindow"/>. Each spends up to three KMS
    /// calls against a request quota that every tenant shares.
    /// </summary>
    public int KmsRequestsPerTenant { get; set; } = 10;

    /// <summary>The same requests, all tenants together, per <see cref="KmsRequestsWindow"/> on one silo.</summary>
    public int KmsRequestsPerSilo { get; set; } = 600;

    public TimeSpan KmsRequestsWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Request size and KMS-spending rate limits. Bodies over the limit are refused before anything
/// reads them (<c>413 request-too-large</c>); the limiter answers <c>429 too-many-requests</c>
/// with <c>Retry-After</c> before the request reaches a grain, so a refused request spends no KMS call.
/// </summary>
internal static class GatewayLimits
{
    /// <summary>Endpoint metadata: the endpoint calls KMS on the vendor's account.</summary>
    public sealed class SpendsKmsQuota;

    public static IServiceCollection AddGatewayLimits(this IServiceCollection services)
    {
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section)
            .Validate(o => o.MaxRequestBodyBytes >= 1024, "Ekm:Gateway:MaxRequestBodyBytes must be at least 1024.")
            .Validate(o => o.KmsRequestsPerTenant > 0 && o.KmsRequestsPerSilo > 0,
                "Ekm:Gateway:KmsRequestsPerTenant and Ekm:Gateway:KmsRequestsPerSilo must be positive.")
            .Validate(o => o.KmsRequestsWindow > TimeSpan.Zero, "Ekm:Gateway:KmsRequestsWindow must be positive (e.g. 00:01:00).")
            .ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>>((limiter, gateway) =>
        {
            var o = gateway.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                KmsSpending(http => "tenant:" + http.GetRouteValue("tenantId"), o.KmsRequestsPerTenant, o.KmsRequestsWindow),
                KmsSpending(_ => "silo", o.KmsRequestsPerSilo, o.KmsRequestsWindow));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>
    /// Before authentication: an oversized body, or one in a character set nothing can decode, is
    /// refused whoever sends it (the JSON reader would otherwise fail with a 500).
    /// </summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxRequestBodyBytes;
        return app.Use((context, next) =>
        {
            if (context.Request.ContentLength > limit)
            {
                return ProblemResults.Result(ProblemSlugs.RequestTooLarge, TooLargeDetail(limit)).ExecuteAsync(context);
            }

            if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var media) && media.Charset.HasValue && !IsKnownCharset(media.Charset.Value))
            {
                return ProblemResults.Result(ProblemSlugs.InvalidRequestBody,
                    "The Content-Type names a character set this service cannot read: send the JSON body as UTF-8 (Content-Type: application/json).").ExecuteAsync(context);
            }

            // A chunked body has no length up front: the server stops reading at the limit and the
            // body reader answers 413, worded by ProblemResults.Customize. The in-process test server has no such feature.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            return next(context);
        });
    }

    public static TBuilder SpendsVendorKmsQuota<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SpendsKmsQuota());

    /// <summary>The sentence for a body over <paramref name="limit"/>, however the refusal was made.</summary>
    public static string TooLargeDetail(long? limit) =>
        $"The request body is larger than {limit?.ToString("N0", CultureInfo.InvariantCulture) ?? "the allowed number of"} bytes. The API's JSON bodies are small: send only the fields it documents.";

    private static bool IsKnownCharset(string? name)
    {
        try
        {
            return !string.IsNullOrWhiteSpace(name) && Encoding.GetEncoding(name.Trim('"')) is not null;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            // Unknown names, and UTF-7, which .NET knows but refuses (unsafe).
            return false;
        }
    }

    private static PartitionedRateLimiter<HttpContext> KmsSpending(Func<HttpContext, string> partition, int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
            http.GetEndpoint()?.Metadata.GetMetadata<SpendsKmsQuota>() is null
                ? RateLimitPartition.GetNoLimiter("")
                : RateLimitPartition.GetFixedWindowLimiter(partition(http), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = window,
                    QueueLimit = 0,
                }));

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ProblemResults.Result(ProblemSlugs.TooManyRequests,
                $"Too many requests that call AWS KMS (validate, enable, key update, health check) for this tenant or this service. Retry in {seconds} s.")
            .ExecuteAsync(http);
    }
}
