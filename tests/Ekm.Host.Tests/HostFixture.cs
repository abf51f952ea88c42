namespace Ekm.Host.Tests;

/// <summary>One running host shared by a test class; every test uses tenants of its own.</summary>
public class HostFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly IEnumerable<KeyValuePair<string, string?>> _settings;

    public HostFixture()
        : this([])
    {
    }

    /// <summary>A host with <paramref name="settings"/> on top of the test defaults.</summary>
    protected HostFixture(IEnumerable<KeyValuePair<string, string?>> settings) => _settings = settings;

    internal EkmHostFactory Factory { get; private set; } = null!;

    internal TestKeys Keys => Factory.Keys;

    internal string DataDirectory => _data.Path;

    public Task InitializeAsync()
    {
        Factory = new EkmHostFactory(_data.Path, new TestKeys(), _settings);
        _ = Factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        _data.Dispose();
        GC.SuppressFinalize(this);
    }

    public static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..16];
}
