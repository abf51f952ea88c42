using System.Net;
using System.Text;
using Ekm.Problems;

namespace Ekm.Host.Tests;

/// <summary>Every endpoint against every kind of caller (DESIGN §10 roles).</summary>
public sealed class AuthorizationMatrixTests(HostFixture host) : IClassFixture<HostFixture>
{
    public enum Caller
    {
        OwnTenantAdmin,
        OtherTenantAdmin,
        Support,
        Operator,
        Anonymous,
    }

    public enum Access
    {
        /// <summary>Anything but 401 and 403 (and no server error): the request reached its handler.</summary>
        Allowed,
        Forbidden,
        Unauthenticated,
    }

    private const Access Ok = Access.Allowed;
    private const Access No = Access.Forbidden;
    private const Access Who = Access.Unauthenticated;

    private const string Tenant = "{tenant}";

    private const string KeyArnBody = """{"keyArn":"not an arn"}""";
    private const string EnableBody = """{"keyArn":"not an arn","acceptTerms":true,"termsVersion":"0"}""";
    private const string AvailabilityBody = """{"activated":true}""";

    /// <summary>
    /// The matrix: a row an endpoint, a column a caller. Write bodies are well-formed JSON; every
    /// case runs on a fresh tenant, so whatever a caller who is let in changes concerns no other case.
    /// </summary>
    private static readonly (string Method, string Path, string? Body, Access[] Expected)[] Endpoints =
    [
        //                                                                             own admin, other tenant's admin, support, operator, anonymous
        ("GET",  $"/api/tenants/{Tenant}/ekm",                       null,             [Ok, No, Ok, Ok, Who]),
        ("GET",  $"/api/tenants/{Tenant}/ekm/key-policy",            null,             [Ok, No, Ok, Ok, Who]),
        ("POST", $"/api/tenants/{Tenant}/ekm/validate",              KeyArnBody,       [Ok, No, No, No, Who]),
        ("POST", $"/api/tenants/{Tenant}/ekm/enable",                EnableBody,       [Ok, No, No, No, Who]),
        ("PUT",  $"/api/tenants/{Tenant}/ekm/key",                   KeyArnBody,       [Ok, No, No, No, Who]),
        ("POST", $"/api/tenants/{Tenant}/ekm/health-check",          null,             [Ok, No, No, No, Who]),
        ("GET",  $"/api/tenants/{Tenant}/ekm/audit",                 null,             [Ok, No, Ok, Ok, Who]),
        ("PUT",  $"/api/support/tenants/{Tenant}/ekm/availability",  AvailabilityBody, [No, No, Ok, No, Who]),
        ("GET",  $"/api/tenants/{Tenant}/jobs",                      null,             [Ok, No, Ok, Ok, Who]),
        ("GET",  "/api/operator/tenants",                            null,             [No, No, Ok, Ok, Who]),
        ("GET",  "/api/ekm/vendor-account",                          null,             [Ok, Ok, Ok, Ok, Who]),
        ("GET",  "/api/ekm/terms",                                   null,             [Ok, Ok, Ok, Ok, Who]),
        ("GET",  "/metrics",                                         null,             [No, No, Ok, Ok, Who]),
        ("GET",  "/dashboard/",                                      null,             [No, No, Ok, Ok, Who]),
        ("GET",  "/openapi/v1.json",                                 null,             [Ok, Ok, Ok, Ok, Who]),
        ("GET",  "/health",                                          null,             [Ok, Ok, Ok, Ok, Ok]),
    ];

    public static TheoryData<string, string, Caller, Access> Matrix()
    {
        var data = new TheoryData<string, string, Caller, Access>();
        foreach (var (method, path, _, expected) in Endpoints)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(method, path, caller, expected[(int)caller]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_Caller_ExpectedAccess(string method, string path, Caller caller, Access expected)
    {
        var admin = caller is Caller.OwnTenantAdmin or Caller.OtherTenantAdmin ? host.Keys.NewTenantAdmin() : null;
        var tenant = caller == Caller.OwnTenantAdmin ? admin!.Tenant : HostFixture.NewTenant();
        var apiKey = caller switch
        {
            Caller.OwnTenantAdmin or Caller.OtherTenantAdmin => admin!.Key,
            Caller.Support => host.Keys.Support,
            Caller.Operator => host.Keys.Operator,
            _ => null,
        };
        using var client = apiKey is null ? host.Factory.CreateClient() : host.Factory.ClientWith(apiKey);
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace(Tenant, tenant, StringComparison.Ordinal));
        if (Endpoints.Single(e => e.Method == method && e.Path == path).Body is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);

        switch (expected)
        {
            case Access.Allowed:
                var status = (int)response.StatusCode;
                Assert.True(status is not (401 or 403) and < 500, $"{caller} {method} {path}: expected to be let through, got {status}: {await response.Content.ReadAsStringAsync()}");
                break;
            case Access.Forbidden:
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ProblemSlugs.Forbidden);
                break;
            default:
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ProblemSlugs.Unauthenticated);
                break;
        }
    }
}
