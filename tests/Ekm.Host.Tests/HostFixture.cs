namespace Ekm.Host.Tests;

/// <summary>One running host shared by a test class; every test uses tenants of its own.</summary>
public sealed class HostFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new();

    internal EkmHostFactory Factory { get; private set; } = null!;

    internal TestKeys Keys => Factory.Keys;

    internal string DataDirectory => _data.Path;

    public Task InitializeAsync()
    {
        Factory = new EkmHostFactory(_data.Path, new TestKeys());
        _ = Factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Dispose();
    }

    public void Dispose() => _data.Dispose();

    public static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..16];
}
