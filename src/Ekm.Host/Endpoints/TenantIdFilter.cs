using Ekm.Problems;
using Ekm.Tenants;

namespace Ekm.Host.Endpoints;

/// <summary>Refuses a malformed <c>{tenantId}</c> route value before any grain is touched.</summary>
internal sealed class TenantIdFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var tenantId = context.HttpContext.GetRouteValue("tenantId") as string;
        return TenantId.TryValidate(tenantId, out var problem)
            ? next(context)
            : ValueTask.FromResult<object?>(ProblemResults.Result(ProblemSlugs.InvalidTenantId, problem));
    }
}
