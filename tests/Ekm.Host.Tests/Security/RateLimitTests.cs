using System.Net;
using System.Net.Http.Json;
using Ekm.Host.Kms;
using Ekm.Problems;
using Microsoft.Extensions.DependencyInjection;

namespace Ekm.Host.Tests.Security;

/// <summary>A host whose KMS-spending endpoints allow 3 requests per tenant and 6 per silo a minute.</summary>
public sealed class LowRateLimitHost() : HostFixture(
[
    new("Ekm:Gateway:KmsRequestsPerTenant", "3"),
    new("Ekm:Gateway:KmsRequestsPerSilo", "6"),
]);

/// <summary>
/// Validate, enable, key update and health check each call AWS KMS on the vendor's account, whose
/// request quota every tenant shares: the gateway limits them per tenant and per silo, answers
/// <c>429 too-many-requests</c> with <c>Retry-After</c>, and a refused request spends no KMS call.
/// </summary>
public sealed class RateLimitTests(LowRateLimitHost host) : IClassFixture<LowRateLimitHost>
{
    [Fact]
    public async Task KmsSpendingEndpoints_FourthRequestOfATenantInAMinute_TooManyRequestsWithoutAKmsCall()
    {
        var keys = host.Factory.Keys;
        var tenant = keys.NewTenantAdmin();
        var other = keys.NewTenantAdmin();
        var counters = host.Factory.Services.GetRequiredService<EmbeddedLocalKms>().Server.Counters;
        using var admin = host.Factory.ClientWith(tenant.Key);
        using var otherAdmin = host.Factory.ClientWith(other.Key);
        using var support = host.Factory.ClientWith(keys.Support);
        foreach (var activated in new[] { tenant.Tenant, other.Tenant })
        {
            var put = await support.PutAsJsonAsync($"/api/support/tenants/{activated}/ekm/availability", new { activated = true });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var missingKey = CustomerKms.MissingKeyArn();
        var validate = $"/api/tenants/{tenant.Tenant}/ekm/validate";

        // Refused callers spend none of the tenant's permits.
        for (var i = 0; i < 4; i++)
        {
            var forbidden = await otherAdmin.PostAsJsonAsync(validate, new { keyArn = missingKey });
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            var allowed = await admin.PostAsJsonAsync(validate, new { keyArn = missingKey });
            await ProblemAssert.IsProblemAsync(allowed, HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyNotFound);
        }

        var callsBefore = counters.Count();
        var refused = await admin.PostAsJsonAsync(validate, new { keyArn = missingKey });
        var detail = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, ProblemSlugs.TooManyRequests);
        Assert.Contains("Retry in", detail, StringComparison.Ordinal);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        // One budget for every endpoint that spends KMS calls; reads are not limited.
        var enable = await admin.PostAsJsonAsync($"/api/tenants/{tenant.Tenant}/ekm/enable", new { keyArn = missingKey, acceptTerms = true, termsVersion = "x" });
        await ProblemAssert.IsProblemAsync(enable, HttpStatusCode.TooManyRequests, ProblemSlugs.TooManyRequests);
        var health = await admin.PostAsync($"/api/tenants/{tenant.Tenant}/ekm/health-check", null);
        await ProblemAssert.IsProblemAsync(health, HttpStatusCode.TooManyRequests, ProblemSlugs.TooManyRequests);
        Assert.Equal(callsBefore, counters.Count());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/tenants/{tenant.Tenant}/ekm")).StatusCode);

        // Another tenant has a budget of its own.
        var otherValidate = await otherAdmin.PostAsJsonAsync($"/api/tenants/{other.Tenant}/ekm/validate", new { keyArn = missingKey });
        await ProblemAssert.IsProblemAsync(otherValidate, HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyNotFound);
        Assert.True(counters.Count() > callsBefore, "the other tenant's validation called KMS");
    }
}

/// <summary>The silo-wide budget: many tenants together cannot spend the vendor's quota either.</summary>
public sealed class SiloRateLimitTests(LowRateLimitHost host) : IClassFixture<LowRateLimitHost>
{
    [Fact]
    public async Task KmsSpendingEndpoints_SeventhRequestAcrossTenantsInAMinute_TooManyRequests()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            var tenant = host.Factory.Keys.NewTenantAdmin();
            using var admin = host.Factory.ClientWith(tenant.Key);
            var response = await admin.PostAsJsonAsync($"/api/tenants/{tenant.Tenant}/ekm/validate", new { keyArn = CustomerKms.MissingKeyArn() });
            statuses.Add(response.StatusCode);
            if (i == 6)
            {
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests, ProblemSlugs.TooManyRequests);
            }
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(6));
    }
}
