using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ekm.Host.Tests.Fuzz;

/// <summary>
/// Fuzzes every gateway body through the real host: random bytes, truncated and mistyped JSON,
/// nulls, wrong roots, unknown enum values, huge and deeply nested values, duplicate properties,
/// other encodings, wrong content types, near-miss key ARNs, path-traversing container ids and
/// malformed tenant routes, on a tenant in each lifecycle state. Every one is refused with a 4xx
/// problem carrying a known slug and a sentence, never a 5xx, and leaves the tenant's key state,
/// audit log and job list exactly as they were.
/// </summary>
public sealed class GatewayBodyFuzzTests(GatewayFuzzFixture gateway) : IClassFixture<GatewayFuzzFixture>
{
    private const int Cases = 500;

    [Property(MaxTest = Cases)]
    public Property Validate_MalformedOrRefusedBody_ProblemAndNothingChanged() => RefusedWithoutChange(FuzzEndpoint.Validate);

    [Property(MaxTest = Cases)]
    public Property Enable_MalformedOrRefusedBody_ProblemAndNothingChanged() => RefusedWithoutChange(FuzzEndpoint.Enable);

    [Property(MaxTest = Cases)]
    public Property UpdateKey_MalformedOrRefusedBody_ProblemAndNothingChanged() => RefusedWithoutChange(FuzzEndpoint.UpdateKey);

    [Property(MaxTest = Cases)]
    public Property SetAvailability_MalformedOrRefusedBody_ProblemAndNothingChanged() => RefusedWithoutChange(FuzzEndpoint.Availability);

    [Property(MaxTest = Cases)]
    public Property StartJob_MalformedOrRefusedBody_ProblemAndNothingChanged() => RefusedWithoutChange(FuzzEndpoint.StartJob);

    [Property(MaxTest = Cases)]
    public Property AnyBody_MalformedTenantRoute_ProblemAndNothingChanged() =>
        Prop.ForAll(gateway.Requests.MalformedRoutes(), gateway.AssertRefusedWithoutChangeAsync);

    /// <summary>
    /// A charset .NET has no encoding for (made up, empty, UTF-7) is an unreadable body like any
    /// other; the gateway refuses it before the JSON reader, which would fail with a 500. Listed
    /// rather than generated: the kinds of unreadable charset are few, and each is named here.
    /// </summary>
    [Theory]
    [InlineData(FuzzEndpoint.Validate, "bogus-42")]
    [InlineData(FuzzEndpoint.Enable, "")]
    [InlineData(FuzzEndpoint.UpdateKey, "utf-7")]
    [InlineData(FuzzEndpoint.Availability, "bogus-42")]
    [InlineData(FuzzEndpoint.StartJob, "x-unknown")]
    public Task AnyBody_UnknownCharset_ProblemAndNothingChanged(FuzzEndpoint endpoint, string charset) =>
        gateway.AssertRefusedWithoutChangeAsync(new FuzzRequest(endpoint, FuzzTenant.Ckm, "charset",
            $"application/json; charset={charset}", Encoding.UTF8.GetBytes(gateway.Requests.WellTypedBody(endpoint))));

    private Property RefusedWithoutChange(FuzzEndpoint endpoint) =>
        Prop.ForAll(gateway.Requests.Refused(endpoint), gateway.AssertRefusedWithoutChangeAsync);
}
