using System.CommandLine;
using Ekm.Cli.Api;
using Ekm.Cli.Text;

namespace Ekm.Cli.Commands;

/// <summary>Support's switch: make Enterprise Key Management available to a tenant, or not ("controlled availability").</summary>
internal static class SupportCommands
{
    public static Command Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var activate = new Command("activate", "Make Enterprise Key Management available to the tenant (Support role).");
        runner.Action(activate, (context, ct) => SetAsync(context, true, ct));
        var deactivate = new Command("deactivate", "Withdraw Enterprise Key Management availability (a tenant already on it stays on it).");
        runner.Action(deactivate, (context, ct) => SetAsync(context, false, ct));
        return new Command("support", "Support: controlled availability of Enterprise Key Management.") { activate, deactivate };
    }

    private static async Task<int> SetAsync(CliContext context, bool activated, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant;
        var json = await context.Api.PutAsync($"api/support/tenants/{Uri.EscapeDataString(tenant)}/ekm/availability", new { activated }, cancellationToken);
        context.Write(json, () =>
        {
            var view = ApiJson.Read<TenantView>(json);
            context.Line($"Enterprise Key Management is {(view.Availability.Activated ? "available to" : "not available to")} {tenant} " +
                $"(changed by {view.Availability.ChangedBy ?? "?"} at {Format.Time(view.Availability.ChangedAt)}).");
            context.Line($"Status: {view.StatusLine}");
        });
        return ExitCodes.Ok;
    }
}
