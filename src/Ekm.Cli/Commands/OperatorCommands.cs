using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ekm.Cli.Api;
using Ekm.Cli.Text;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.Problems;

namespace Ekm.Cli.Commands;

/// <summary>Operators: every tenant's key health, service readiness, a tenant's jobs and failures by reason.</summary>
internal static class OperatorCommands
{
    public static Command Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var tenants = new Command("tenants", "Every tenant on Enterprise Key Management with its key and health.");
        runner.Action(tenants, TenantsAsync);
        var health = new Command("health", "Service readiness (/health/ready) and tenants by key health; exits 7 if the service is not ready.");
        runner.Action(health, HealthAsync);
        var limit = LimitOption();
        var jobs = new Command("jobs", "A tenant's recent jobs, newest first, and failures by reason (--tenant).") { limit };
        runner.Action(jobs, (context, ct) => JobsAsync(context, context.Get(limit), ct));
        return new Command("operator", "Operators: read-only views across tenants.") { tenants, health, jobs };
    }

    public static Option<int> LimitOption() => new("--limit")
    {
        Description = "How many jobs, newest first (1 to 100)",
        DefaultValueFactory = _ => 20,
    };

    private static async Task<int> TenantsAsync(CliContext context, CancellationToken cancellationToken)
    {
        var json = await context.Api.GetAsync("api/operator/tenants", cancellationToken);
        context.Write(json, () =>
        {
            var list = ApiJson.Read<TenantListView>(json);
            context.Line($"{list.Tenants.Count} tenant(s) on Enterprise Key Management.");
            if (list.Tenants.Count > 0)
            {
                context.Line($"{"TENANT",-24} {"HEALTH",-12} {"REASON",-22} {"CHECKED",-21} KEY ARN");
            }

            foreach (var t in list.Tenants.OrderBy(t => t.TenantId, StringComparer.Ordinal))
            {
                context.Line($"{t.TenantId,-24} {t.Health?.Status.ToString() ?? "-",-12} {t.Health?.Reason ?? "-",-22} {Format.Time(t.Health?.CheckedAt),-21} {t.KeyArn}");
            }
        });
        return ExitCodes.Ok;
    }

    private static async Task<int> HealthAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (status, text) = await context.Api.GetTextAsync("health/ready", cancellationToken);
        var ready = status == 200;
        var tenants = ApiJson.Read<TenantListView>(await context.Api.GetAsync("api/operator/tenants", cancellationToken)).Tenants;
        var byHealth = tenants.GroupBy(t => t.Health?.Status ?? KeyHealthStatus.NotChecked).OrderBy(g => g.Key).ToList();
        if (context.Json)
        {
            var groups = new JsonObject();
            foreach (var group in byHealth)
            {
                groups[group.Key.ToString()] = new JsonArray([.. group.Select(t => (JsonNode)new JsonObject
                {
                    ["tenantId"] = t.TenantId,
                    ["reason"] = t.Health?.Reason,
                    ["checkedAt"] = t.Health?.CheckedAt,
                    ["keyArn"] = t.KeyArn,
                })]);
            }

            context.WriteJson(new JsonObject { ["ready"] = ready, ["status"] = text, ["tenants"] = groups });
        }
        else
        {
            context.Line($"Service: {text} ({(ready ? "ready" : "NOT ready")}, {context.Api.BaseAddress}health/ready)");
            context.Line($"Tenants on Enterprise Key Management: {tenants.Count}" +
                (tenants.Count == 0 ? "" : " — " + string.Join(", ", byHealth.Select(g => $"{g.Key} {g.Count().ToString(CultureInfo.InvariantCulture)}"))));
            foreach (var t in tenants.Where(t => t.Health?.Status is KeyHealthStatus.Revoked or KeyHealthStatus.Unavailable).OrderBy(t => t.TenantId, StringComparer.Ordinal))
            {
                context.Line($"  {t.TenantId}: {t.Health!.Status} ({t.Health.Reason ?? "-"}) since {Format.Time(t.Health.Since ?? t.Health.CheckedAt)}");
            }
        }

        if (!ready)
        {
            context.Err.WriteLine($"error: the service is not ready: {text} ({ProblemSlugs.ServiceUnavailable})");
            return ExitCodes.Unavailable;
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> JobsAsync(CliContext context, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tenant = context.Tenant;
        var json = await context.Api.GetAsync($"{EkmApi.Tenant(tenant)}/jobs?limit={limit.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        context.Write(json, () =>
        {
            var recent = ApiJson.Read<RecentJobs>(json);
            context.Line($"{recent.Jobs.Count} recent job(s) of {tenant}, newest first.");
            if (recent.Jobs.Count > 0)
            {
                context.Line($"{"JOB ID",-32}  {"KIND",-22} {"PRODUCT",-15} {"VARIANT",-12} {"STATE",-9} {"OPS",-7} {"CREATED",-20} FAILURE");
            }

            foreach (var job in recent.Jobs)
            {
                var ops = $"{job.OperationsDone}/{job.OperationsTotal}";
                context.Line($"{job.JobId,-32}  {job.Kind,-22} {job.Product,-15} {job.Variant,-12} {job.State,-9} {ops,-7} {Format.Time(job.CreatedAt),-20} {job.FailureSlug ?? ""}");
            }

            if (recent.FailuresByReason.Count > 0)
            {
                context.Line("Failures by reason: " + string.Join(", ", recent.FailuresByReason.OrderByDescending(f => f.Value).Select(f => $"{f.Key} {f.Value.ToString(CultureInfo.InvariantCulture)}")));
            }
        });
        return ExitCodes.Ok;
    }
}
