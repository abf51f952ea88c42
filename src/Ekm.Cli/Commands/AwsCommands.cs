using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ekm.Cli.Api;
using Ekm.Cli.Aws;
using Ekm.Cli.Text;

namespace Ekm.Cli.Commands;

/// <summary>
/// The customer's side of AWS KMS, signed as the customer's account (by default customer A of the
/// local KMS): make the key, admit the vendor, then cut the service off and restore it.
/// </summary>
internal static class AwsCommands
{
    public static Command Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var aws = new AwsOptions();

        var admitVendor = new Option<bool>("--admit-vendor")
        {
            Description = "Give the key a policy of your account's root statement plus the statements 'ekm key-policy' prints for --tenant",
        };
        var description = new Option<string>("--description") { Description = "The key's description", DefaultValueFactory = _ => "Enterprise Key Management key (ekm)" };
        var createKey = new Command("create-key", "Create a symmetric encryption key; prints its ARN.") { admitVendor, description };
        runner.Action(createKey, (context, ct) => CreateKeyAsync(context, aws, context.Get(admitVendor), context.Get(description), ct));

        var putArn = TenantCommands.ArnArgument();
        var putPolicy = new Command("put-policy", "Set the key's policy: your account's root statement plus the service's statements for --tenant.") { putArn };
        runner.Action(putPolicy, (context, ct) => PutPolicyAsync(context, aws, context.Get(putArn), ct));

        var disableArn = TenantCommands.ArnArgument();
        var disable = new Command("disable", "Disable the key: the service stops at its next operation for every tenant it serves.") { disableArn };
        runner.Action(disable, (context, ct) => KeyCallAsync(context, aws, context.Get(disableArn), (kms, arn) => kms.DisableAsync(arn, ct),
            "disabled: the service can no longer use it", ct));

        var enableArn = TenantCommands.ArnArgument();
        var enable = new Command("enable", "Enable the key again; the service recovers at its next check.") { enableArn };
        runner.Action(enable, (context, ct) => KeyCallAsync(context, aws, context.Get(enableArn), (kms, arn) => kms.EnableAsync(arn, ct),
            "enabled: the service recovers at its next health check or recheck", ct));

        var days = new Option<int>("--days") { Description = "Waiting period before the key material is destroyed (7 to 30)", DefaultValueFactory = _ => 7 };
        var scheduleArn = TenantCommands.ArnArgument();
        var schedule = new Command("schedule-deletion", "Schedule the key's deletion; it is unusable at once and destroyed after the waiting period.") { scheduleArn, days };
        runner.Action(schedule, (context, ct) => ScheduleDeletionAsync(context, aws, context.Get(scheduleArn), context.Get(days), ct));

        var cancelArn = TenantCommands.ArnArgument();
        var cancel = new Command("cancel-deletion", "Cancel a scheduled deletion; as in AWS the key stays Disabled until you enable it.") { cancelArn };
        runner.Action(cancel, (context, ct) => KeyCallAsync(context, aws, context.Get(cancelArn), (kms, arn) => kms.CancelDeletionAsync(arn, ct),
            "no longer scheduled for deletion; it is Disabled until 'ekm aws enable'", ct));

        var command = new Command("aws", "The customer's side of AWS KMS (default: the local KMS as customer A).")
        {
            createKey, putPolicy, disable, enable, schedule, cancel,
        };
        foreach (var option in aws.All)
        {
            command.Options.Add(option);
        }

        return command;
    }

    private static async Task<int> CreateKeyAsync(CliContext context, AwsOptions aws, bool admitVendor, string description, CancellationToken cancellationToken)
    {
        // Read the statements first: a missing tenant or API key fails before a key is made.
        var statements = admitVendor ? await VendorStatementsAsync(context, cancellationToken) : (JsonElement?)null;
        using var kms = aws.Connect(context);
        var key = await kms.CreateKeyAsync(description, cancellationToken);
        string? policy = null;
        if (statements is { } s)
        {
            policy = await kms.PutPolicyAsync(key.Arn, s, cancellationToken);
        }

        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["keyArn"] = key.Arn,
                ["keyId"] = key.KeyId,
                ["accountId"] = key.AWSAccountId,
                ["keySpec"] = key.KeySpec?.Value,
                ["keyUsage"] = key.KeyUsage?.Value,
                ["keyState"] = key.KeyState?.Value,
                ["policy"] = policy is null ? null : JsonNode.Parse(policy),
            });
        }
        else
        {
            context.Line(key.Arn);
            context.Note(policy is null
                ? $"Created key {key.KeyId} in account {key.AWSAccountId}; the vendor is not admitted yet (ekm aws put-policy {key.Arn} --tenant TENANT)."
                : $"Created key {key.KeyId} in account {key.AWSAccountId} and admitted the vendor for tenant {context.Tenant}.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> PutPolicyAsync(CliContext context, AwsOptions aws, string keyArn, CancellationToken cancellationToken)
    {
        CustomerKms.AccountOf(keyArn);
        var statements = await VendorStatementsAsync(context, cancellationToken);
        using var kms = aws.Connect(context);
        var policy = await kms.PutPolicyAsync(keyArn, statements, cancellationToken);
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["keyArn"] = keyArn, ["policy"] = JsonNode.Parse(policy) });
        }
        else
        {
            context.Line($"Key policy of {keyArn} set: your account's root statement plus the service's statements for tenant {context.Tenant}.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> ScheduleDeletionAsync(CliContext context, AwsOptions aws, string keyArn, int days, CancellationToken cancellationToken)
    {
        if (days is < 7 or > 30)
        {
            throw CliException.Usage("--days must be between 7 and 30, as AWS KMS requires.");
        }

        using var kms = aws.Connect(context);
        var deletion = await kms.ScheduleDeletionAsync(keyArn, days, cancellationToken);
        var state = (await kms.DescribeAsync(keyArn, cancellationToken)).KeyState?.Value;
        var at = deletion is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["keyArn"] = keyArn, ["keyState"] = state, ["deletionDate"] = at });
        }
        else
        {
            context.Line($"Key {keyArn} is {state}: unusable now, destroyed at {Format.Time(at)} unless you run 'ekm aws cancel-deletion'.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> KeyCallAsync(CliContext context, AwsOptions aws, string keyArn, Func<CustomerKms, string, Task> call, string outcome, CancellationToken cancellationToken)
    {
        using var kms = aws.Connect(context);
        await call(kms, keyArn);
        var state = (await kms.DescribeAsync(keyArn, cancellationToken)).KeyState?.Value;
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["keyArn"] = keyArn, ["keyState"] = state });
        }
        else
        {
            context.Line($"Key {keyArn} {outcome} (state {state}).");
        }

        return ExitCodes.Ok;
    }

    private static async Task<JsonElement> VendorStatementsAsync(CliContext context, CancellationToken cancellationToken)
    {
        var json = await context.Api.GetAsync(EkmApi.Tenant(context.Tenant) + "/ekm/key-policy", cancellationToken);
        return ApiJson.Read<KeyPolicyView>(json).Statements;
    }
}
