using Ekm.Testing;

namespace Ekm.Cli.Tests;

/// <summary>
/// <c>Ekm.Host</c> as a real process (<see cref="ChildHostProcess"/>: Development environment, embedded
/// local KMS, free loopback ports, a temp data directory) with the API keys of <see cref="ApiKeys"/>
/// configured by their SHA-256 and no development key.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly ChildHostProcess _process;

    private HostProcess(ChildHostProcess process) => _process = process;

    /// <summary>The gateway, e.g. http://127.0.0.1:PORT.</summary>
    public string Url => _process.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>The embedded local KMS.</summary>
    public string KmsUrl => _process.LocalKmsAddress.GetLeftPart(UriPartial.Authority);

    public static async Task<HostProcess> StartAsync(ApiKeys keys) =>
        new(await ChildHostProcess.StartAsync(["--Ekm:Auth:DevelopmentKey=false", .. HostApiKey.Settings(keys.All())]));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

/// <summary>Fresh API keys for one host, each for every tenant ('*').</summary>
internal sealed class ApiKeys
{
    /// <summary>TenantAdmin of every tenant.</summary>
    public string Admin { get; } = HostApiKey.NewKey("test_");

    public string Support { get; } = HostApiKey.NewKey("test_");

    public string Operator { get; } = HostApiKey.NewKey("test_");

    public IEnumerable<HostApiKey> All() =>
        [new("admin@tests", Admin, "TenantAdmin", "*"), new("support-desk", Support, "Support", "*"), new("noc", Operator, "Operator", "*")];
}
