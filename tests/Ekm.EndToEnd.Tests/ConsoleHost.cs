using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.EndToEnd.Tests;

/// <summary>
/// <c>Ekm.Host</c> as a real process (<c>dotnet Ekm.Host.dll</c> from this test's output folder), in
/// the Development environment <c>dotnet run</c> uses, so its embedded local KMS runs: a browser
/// reaches it over real HTTP. Its own data directory and free loopback ports; API keys configured
/// by hash: one Support key and one tenant admin key per fresh tenant.
/// </summary>
internal sealed class ConsoleHost : IAsyncDisposable
{
    private const int Tenants = 16;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<TenantAdmin> _tenants = new(Enumerable.Range(0, Tenants).Select(_ => TenantAdmin.New()));
    private readonly HttpClient _support;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ConsoleHost(string dataDirectory)
    {
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        LocalKms = new Uri($"http://127.0.0.1:{FreePort()}/");
        var settings = new List<string>
        {
            $"--urls={BaseAddress.GetLeftPart(UriPartial.Authority)}",
            $"--Ekm:DataDirectory={dataDirectory}",
            $"--Ekm:LocalKms:Port={LocalKms.Port}",
            $"--Orleans:SiloPort={FreePort()}",
            $"--Orleans:GatewayPort={FreePort()}",
            $"--Orleans:ClusterId=e2e-{Guid.NewGuid():N}",
            "--Ekm:Auth:DevelopmentKey=false",
        };
        (string Name, string Key, string Role, string? Tenant)[] keys =
        [
            ("support-desk", SupportKey, "Support", null),
            .. _tenants.Select(t => (t.Name, t.Key, "TenantAdmin", (string?)t.Tenant)),
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            settings.Add($"--Ekm:Auth:ApiKeys:{i}:Name={keys[i].Name}");
            settings.Add($"--Ekm:Auth:ApiKeys:{i}:Sha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keys[i].Key)))}");
            settings.Add($"--Ekm:Auth:ApiKeys:{i}:Roles:0={keys[i].Role}");
            if (keys[i].Tenant is { } tenant)
            {
                settings.Add($"--Ekm:Auth:ApiKeys:{i}:Tenants:0={tenant}");
            }
        }

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ekm.Host.dll"));
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        // What `dotnet run` gets from launchSettings.json: the embedded local KMS, the vendor account id.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            Keep(e.Data);
            if (e.Data?.StartsWith("Press Ctrl+C to stop.", StringComparison.Ordinal) == true)
            {
                _ready.TrySetResult(); // the banner's last line: the silo and the gateway are up
            }
        };
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("Ekm.Host exited before it was ready"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _support = new HttpClient { BaseAddress = BaseAddress };
        _support.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SupportKey);
    }

    public Uri BaseAddress { get; }

    /// <summary>The host's embedded local KMS, where the customer keeps its keys.</summary>
    public Uri LocalKms { get; }

    public string SupportKey { get; } = NewKey();

    /// <summary>The last lines the host printed, for a failing test's output.</summary>
    public string OutputTail => string.Join('\n', _output.TakeLast(60));

    public static async Task<ConsoleHost> StartAsync(string dataDirectory)
    {
        var host = new ConsoleHost(dataDirectory);
        try
        {
            await host.WaitUntilReadyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>A tenant of the test's own, on Cloud Key Management, with its tenant admin's key.</summary>
    public TenantAdmin NewTenant() =>
        _tenants.TryDequeue(out var tenant) ? tenant : throw new InvalidOperationException($"All {Tenants} tenants of this host are taken.");

    /// <summary>What support does when a customer asks for Enterprise Key Management.</summary>
    public async Task ActivateAsync(string tenant)
    {
        using var response = await _support.PutAsJsonAsync($"api/support/tenants/{tenant}/ekm/availability", new { activated = true });
        Assert.True(response.IsSuccessStatusCode, $"activation failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<Terms> TermsAsync() => (await _support.GetFromJsonAsync<Terms>("api/ekm/terms"))!;

    public async ValueTask DisposeAsync()
    {
        _support.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        try
        {
            await _ready.Task.WaitAsync(StartLimit);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{ex.Message}:\n{OutputTail}", ex);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (_output.Count > 500)
        {
            _output.TryDequeue(out _);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string NewKey() => "e2e_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>A tenant and the key of its tenant admin.</summary>
    public sealed record TenantAdmin(string Tenant, string Key, string Name)
    {
        public static TenantAdmin New()
        {
            var tenant = "e2e-" + Guid.NewGuid().ToString("N")[..12];
            return new(tenant, NewKey(), "admin@" + tenant);
        }
    }

    public sealed record Terms(string Id, string Version, string Text);
}
