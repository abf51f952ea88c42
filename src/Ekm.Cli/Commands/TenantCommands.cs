using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ekm.Cli.Api;
using Ekm.Cli.Text;
using Ekm.Keys;
using Ekm.Problems;

namespace Ekm.Cli.Commands;

/// <summary>What a tenant admin does: status, the key policy to paste, validate, enable, update, health, audit.</summary>
internal static class TenantCommands
{
    public static IEnumerable<Command> Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);

        var status = new Command("status", "The tenant's key management: mode, availability, key ARN, health, terms, pending update.");
        runner.Action(status, StatusAsync);
        yield return status;

        var keyPolicy = new Command("key-policy", "The key-policy statements to paste into your KMS key's policy (stdout; instructions on stderr).");
        runner.Action(keyPolicy, KeyPolicyAsync);
        yield return keyPolicy;

        var validateArn = ArnArgument();
        var validate = new Command("validate", "Run every check on a key ARN (syntax, DescribeKey, a round trip); saves nothing.") { validateArn };
        runner.Action(validate, (context, ct) => ValidateAsync(context, context.Get(validateArn), ct));
        yield return validate;

        var enableArn = ArnArgument();
        var acceptTerms = new Option<bool>("--accept-terms") { Description = "Accept the current Enterprise Key Management terms (shown without this option)" };
        var enable = new Command("enable", "Switch the tenant to Enterprise Key Management with this key. One way: there is no path back.") { enableArn, acceptTerms };
        runner.Action(enable, (context, ct) => EnableAsync(context, context.Get(enableArn), context.Get(acceptTerms), ct));
        yield return enable;

        var updateArn = ArnArgument();
        var update = new Command("update-key", "Move the tenant key to another customer key (the current key must stay enabled until this completes).") { updateArn };
        runner.Action(update, (context, ct) => UpdateKeyAsync(context, context.Get(updateArn), ct));
        yield return update;

        var healthCheck = new Command("health-check", "Probe the tenant's key now; exits 0 only if it is healthy.");
        runner.Action(healthCheck, HealthCheckAsync);
        yield return healthCheck;

        var audit = new Command("audit", "The tenant's key events, newest first, and whether their hash chain verifies.");
        runner.Action(audit, AuditAsync);
        yield return audit;
    }

    public static Argument<string> ArnArgument() => new("arn") { Description = "Key ARN, e.g. arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab" };

    private static string Ekm(CliContext context) => EkmApi.Tenant(context.Tenant) + "/ekm";

    private static async Task<int> StatusAsync(CliContext context, CancellationToken cancellationToken)
    {
        var json = await context.Api.GetAsync(Ekm(context), cancellationToken);
        context.Write(json, () => WriteStatus(context, ApiJson.Read<TenantView>(json)));
        return ExitCodes.Ok;
    }

    public static void WriteStatus(CliContext context, TenantView view)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(view);
        context.Line($"Tenant:       {view.TenantId}");
        context.Line($"Status:       {view.StatusLine}");
        context.Line(view.Availability.Activated
            ? $"Available:    yes (activated by {view.Availability.ChangedBy ?? "?"} at {Format.Time(view.Availability.ChangedAt)})"
            : "Available:    no (support has not activated Enterprise Key Management for this tenant)");
        if (view.Mode != KeyManagementMode.EnterpriseKeyManagement)
        {
            return;
        }

        context.Line($"Key ARN:      {view.KeyArn}");
        if (view.Health is { } health)
        {
            var reason = health.Reason is null ? "" : $" ({health.Reason})";
            var since = health.Since is null ? "" : $", since {Format.Time(health.Since)}";
            context.Line($"Key health:   {health.Status}{reason}, checked {Format.Time(health.CheckedAt)}{since}");
        }

        if (view.Terms is { } terms)
        {
            context.Line($"Terms:        version {terms.Version}, accepted by {terms.AcceptedBy} at {Format.Time(terms.AcceptedAt)}");
        }

        if (view.PendingKeyArn is { } pending)
        {
            context.Line($"Updating to:  {pending} (started, not finished)");
        }

        if (view.Rotation is { } rotation)
        {
            context.Line(rotation.AutomaticRotationEnabled
                ? $"Rotation:     automatic, every {rotation.RotationPeriodInDays?.ToString(CultureInfo.InvariantCulture) ?? "?"} days, next {Format.Time(rotation.NextRotationDate)}"
                : "Rotation:     automatic rotation off" + (rotation.LastOnDemandRotation is { } last ? $", last on-demand rotation {Format.Time(last)}" : ""));
        }

        foreach (var retired in view.RetiredKeys ?? [])
        {
            context.Line($"Retired key:  {retired}");
        }
    }

    private static async Task<int> KeyPolicyAsync(CliContext context, CancellationToken cancellationToken)
    {
        var json = await context.Api.GetAsync(Ekm(context) + "/key-policy", cancellationToken);
        if (context.Json)
        {
            context.WriteJson(json);
            return ExitCodes.Ok;
        }

        var policy = ApiJson.Read<KeyPolicyView>(json);
        context.Note($"Vendor AWS account {policy.VendorAccountId}; tenant {policy.TenantId}. {policy.Instructions}");
        context.Note("Or let ekm do it for the local KMS: ekm aws put-policy ARN --tenant " + policy.TenantId);
        context.WriteJson(policy.Statements);
        return ExitCodes.Ok;
    }

    private static async Task<int> ValidateAsync(CliContext context, string keyArn, CancellationToken cancellationToken)
    {
        var json = await context.Api.PostAsync(Ekm(context) + "/validate", new { keyArn }, cancellationToken);
        context.Write(json, () =>
        {
            var validation = ApiJson.Read<KeyValidation>(json);
            context.Line($"The key passed every check: {validation.KeyArn}");
            context.Line($"  {validation.KeySpec}, {validation.KeyUsage}, {validation.KeyState}; the vendor can use it for tenant {context.Tenant}. Nothing was saved.");
        });
        return ExitCodes.Ok;
    }

    private static async Task<int> EnableAsync(CliContext context, string keyArn, bool acceptTerms, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant;
        var termsJson = await context.Api.GetAsync("api/ekm/terms", cancellationToken);
        var terms = ApiJson.Read<TermsView>(termsJson);
        if (!acceptTerms)
        {
            const string Refusal = "Enabling Enterprise Key Management is one way and needs the terms accepted: read them, then run the same command with --accept-terms.";
            if (!context.Json)
            {
                context.Line($"Enterprise Key Management terms ({terms.Id}, version {terms.Version}):");
                context.Line();
                context.Line(terms.Text);
                context.Line();
            }

            var problem = new JsonObject
            {
                ["type"] = ProblemSlugs.TermsNotAccepted,
                ["status"] = 400,
                ["detail"] = Refusal,
                ["terms"] = JsonNode.Parse(termsJson.GetRawText()),
            };
            throw new CliException(ExitCodes.BadInput, ProblemSlugs.TermsNotAccepted, Refusal, ApiJson.ToElement(problem));
        }

        var json = await context.Api.PostAsync(Ekm(context) + "/enable",
            new { keyArn, acceptTerms = true, termsVersion = terms.Version }, cancellationToken);
        context.Write(json, () =>
        {
            context.Line($"Enterprise Key Management is enabled for {tenant} (terms version {terms.Version} accepted).");
            WriteStatus(context, ApiJson.Read<TenantView>(json));
        });
        return ExitCodes.Ok;
    }

    private static async Task<int> UpdateKeyAsync(CliContext context, string keyArn, CancellationToken cancellationToken)
    {
        var json = await context.Api.PutAsync(Ekm(context) + "/key", new { keyArn }, cancellationToken);
        context.Write(json, () =>
        {
            context.Line($"The tenant key of {context.Tenant} is now wrapped by {keyArn}.");
            WriteStatus(context, ApiJson.Read<TenantView>(json));
        });
        return ExitCodes.Ok;
    }

    private static async Task<int> HealthCheckAsync(CliContext context, CancellationToken cancellationToken)
    {
        var json = await context.Api.PostAsync(Ekm(context) + "/health-check", null, cancellationToken);
        var health = ApiJson.Read<KeyHealth>(json);
        context.Write(json, () => context.Line(health.Status == KeyHealthStatus.NotChecked
            ? $"Nothing to check: {context.Tenant} is not on Enterprise Key Management."
            : $"Key health: {health.Status}{(health.Reason is null ? "" : $" ({health.Reason})")}, checked {Format.Time(health.CheckedAt)}"));
        return health.Status switch
        {
            KeyHealthStatus.Revoked => Fail(context, ExitCodes.KmsRefused, health.Reason ?? ProblemSlugs.KeyRevoked,
                "The service cannot use the tenant's key: every backup, restore and download is stopped until the customer restores access."),
            KeyHealthStatus.Unavailable => Fail(context, ExitCodes.Unavailable, health.Reason ?? ProblemSlugs.KmsUnavailable,
                "AWS KMS did not answer the probe; this says nothing about the key. Try again shortly."),
            _ => ExitCodes.Ok,
        };
    }

    private static int Fail(CliContext context, int exitCode, string slug, string detail)
    {
        context.Err.WriteLine($"error: {detail} ({slug})");
        return exitCode;
    }

    private static async Task<int> AuditAsync(CliContext context, CancellationToken cancellationToken)
    {
        var json = await context.Api.GetAsync(Ekm(context) + "/audit", cancellationToken);
        context.Write(json, () =>
        {
            var log = ApiJson.Read<AuditLog>(json);
            context.Line(log.ChainValid ? $"{log.Entries.Count} events, hash chain verified." : $"{log.Entries.Count} events. WARNING: the hash chain does not verify: an entry was changed or removed.");
            foreach (var entry in log.Entries)
            {
                var e = entry.Event;
                var key = e.KeyArn is null ? "" : $"  {e.KeyArn}";
                var detail = e.Detail is null ? "" : $"  {e.Detail}";
                context.Line($"{entry.Sequence,4}  {Format.Time(e.At)}  {e.Kind,-20} {e.Actor}{key}{detail}");
            }
        });
        return ExitCodes.Ok;
    }
}
