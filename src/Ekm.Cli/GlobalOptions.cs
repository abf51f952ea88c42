using System.CommandLine;

namespace Ekm.Cli;

/// <summary>Options every command takes; each falls back to an environment variable.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string UrlVariable = "EKM_URL";
    public const string ApiKeyVariable = "EKM_API_KEY";
    public const string TenantVariable = "EKM_TENANT";

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The Ekm service's base URL [env {UrlVariable}]",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = _ => Env(UrlVariable) ?? DefaultUrl,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key sent as 'Authorization: Bearer' [env {ApiKeyVariable}]",
        HelpName = "KEY",
        Recursive = true,
        DefaultValueFactory = _ => Env(ApiKeyVariable),
    };

    public Option<string> Output { get; } = CreateOutput();

    public Option<string?> Tenant { get; } = new("--tenant", "-t")
    {
        Description = $"Tenant id, for commands about one tenant [env {TenantVariable}]",
        HelpName = "TENANT",
        Recursive = true,
        DefaultValueFactory = _ => Env(TenantVariable),
    };

    public IEnumerable<Option> All => [Url, ApiKey, Output, Tenant];

    public static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static Option<string> CreateOutput()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "text for people; json for scripts (the API's JSON, or a problem on failure)",
            Recursive = true,
            DefaultValueFactory = _ => "text",
        };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }
}
