using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Host.Hosting;
using Ekm.LocalKms.Hosting;
using Ekm.Testing;

namespace Ekm.Host.Tests;

/// <summary>The host as an operator runs it: a process, its console, Ctrl+C, a restart.</summary>
public sealed partial class HostProcessTests
{
    [Fact]
    public async Task EmbeddedHost_FirstStart_PrintsEndpointsAndAWorkingDevelopmentKey_StopsCleanlyOnCtrlC_KeepsStateAcrossRestart()
    {
        using var data = new TempDirectory();
        string key;
        string vendorKeyArn;
        await using (var host = HostProcess.Start(data.Path))
        {
            await host.WaitUntilReadyAsync();
            var banner = host.Stdout;
            Assert.Contains($"Gateway:   http://127.0.0.1:{host.Ports.Http}", banner, StringComparison.Ordinal);
            Assert.Contains("/dashboard", banner, StringComparison.Ordinal);
            Assert.Contains("/metrics", banner, StringComparison.Ordinal);
            Assert.Contains("/health", banner, StringComparison.Ordinal);
            Assert.Contains($"SQLite {Path.Combine(data.Path, "ekm.db")}", banner, StringComparison.Ordinal);
            key = DevKey().Match(banner).Value;
            Assert.NotEmpty(key);

            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            http.DefaultRequestHeaders.Authorization = TestKeys.Bearer(key);
            var put = await http.PutAsync("/api/support/tenants/contoso/ekm/availability",
                new StringContent("{\"activated\":true}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

            Assert.Contains($"Local KMS: {host.LocalKmsAddress}", banner, StringComparison.Ordinal);
            using (var kms = VendorKms(host))
            {
                vendorKeyArn = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
            }

            host.Interrupt();
            Assert.Equal(0, await host.WaitForExitAsync());
            Assert.DoesNotContain("Unhandled exception", host.Stdout + host.Stderr, StringComparison.Ordinal);
        }

        // The key file holds the hash, never the key.
        var stored = await File.ReadAllTextAsync(Path.Combine(data.Path, "development-api-key.json"));
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.Contains(TestKeys.Hash(key), stored, StringComparison.Ordinal);

        await using (var again = HostProcess.Start(data.Path))
        {
            await again.WaitUntilReadyAsync();
            Assert.DoesNotMatch(DevKey(), again.Stdout);
            Assert.Contains("the one printed at first start", again.Stdout, StringComparison.Ordinal);

            using var http = new HttpClient { BaseAddress = again.BaseAddress };
            http.DefaultRequestHeaders.Authorization = TestKeys.Bearer(key);
            using var status = JsonDocument.Parse(await http.GetStringAsync("/api/tenants/contoso/ekm"));
            Assert.True(status.RootElement.GetProperty("ekmAvailable").GetBoolean());
            using (var kms = VendorKms(again))
            {
                var described = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = vendorKeyArn });
                Assert.Equal(KeyState.Enabled, described.KeyMetadata.KeyState);
            }

            again.Interrupt();
            Assert.Equal(0, await again.WaitForExitAsync());
        }
    }

    [Fact]
    public async Task EmbeddedHost_PortsInUse_ExitsWithOneMessageNamingEveryProblem()
    {
        using var data = new TempDirectory();
        using var http = new TcpListener(IPAddress.Loopback, 0);
        using var silo = new TcpListener(IPAddress.Loopback, 0);
        http.Start();
        silo.Start();
        var httpPort = ((IPEndPoint)http.LocalEndpoint).Port;
        var siloPort = ((IPEndPoint)silo.LocalEndpoint).Port;

        await using var host = HostProcess.Start(data.Path, httpPort, siloPort);
        var exit = await host.WaitForExitAsync();

        Assert.Equal(StartupFailure.ConfigurationExitCode, exit);
        Assert.Contains("Ekm.Host cannot start", host.Stderr, StringComparison.Ordinal);
        Assert.Contains($"port {httpPort}", host.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Orleans:SiloPort: port {siloPort} is already in use", host.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(host);
    }

    /// <summary>
    /// A port taken after the start-up check but before the bind (here: <c>localhost</c>'s IPv6 side,
    /// which Kestrel binds and the check does not probe) ends the start with the same readable answer.
    /// </summary>
    [Ipv6LoopbackFact]
    public async Task EmbeddedHost_PortTakenBetweenTheCheckAndTheBind_ExitsWithOneReadableMessage()
    {
        using var data = new TempDirectory();
        var port = HostPorts.FreePort();
        using var taken = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
        taken.Bind(new IPEndPoint(IPAddress.IPv6Loopback, port));
        taken.Listen();

        await using var host = HostProcess.Start(data.Path, null, null, $"--urls=http://localhost:{port}");
        var exit = await host.WaitForExitAsync();

        Assert.Equal(StartupFailure.ConfigurationExitCode, exit);
        Assert.Contains($"Ekm.Host cannot start; fix the configuration and start it again:\n  - {StartupFailure.PortTakenWhileStarting}", host.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", host.Stderr + host.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Development API key", host.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "development-api-key.json")), "a key never shown must not be stored");
    }

    [Fact]
    public async Task EmbeddedHost_BadConfigurationValues_ExitsListingEachOne()
    {
        using var data = new TempDirectory();
        await using var host = HostProcess.Start(data.Path, null, null,
            "--Orleans:ClusterId=",
            "--Ekm:Auth:ApiKeys:0:Name=ci",
            "--Ekm:Auth:ApiKeys:0:Sha256=plaintext-key-by-mistake",
            "--Ekm:Auth:ApiKeys:0:Roles:0=Admin",
            "--Ekm:LocalKms:StoreKey=secret-but-not-base64!");
        var exit = await host.WaitForExitAsync();

        Assert.Equal(StartupFailure.ConfigurationExitCode, exit);
        Assert.Contains("Orleans:ClusterId is empty", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("Ekm:Auth:ApiKeys:0:Sha256 must be", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("Ekm:Auth:ApiKeys:0:Roles has 'Admin'", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("Ekm:LocalKms:StoreKey is not base64", host.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-but-not-base64", host.Stdout + host.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(host);
    }

    [Fact]
    public async Task EmbeddedHost_LocalKmsDatabaseUnderAnotherStoreKey_ExitsNamingItAndChangesNothing()
    {
        using var data = new TempDirectory();
        await using (var first = HostProcess.Start(data.Path))
        {
            await first.WaitUntilReadyAsync();
            first.Interrupt();
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        var database = Path.Combine(data.Path, "localkms.db");
        Assert.True(File.Exists(database + ".key"), "the first start created the store key file");
        var sealedBefore = await File.ReadAllBytesAsync(database);
        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        await using var second = HostProcess.Start(data.Path, null, null, $"--Ekm:LocalKms:StoreKey={otherKey}");
        Assert.Equal(StartupFailure.ConfigurationExitCode, await second.WaitForExitAsync());
        Assert.Contains($"The local KMS database {database} cannot be opened", second.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(otherKey, second.Stdout + second.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(second);
        Assert.Equal(sealedBefore, await File.ReadAllBytesAsync(database));
    }

    [Fact]
    public async Task ClusterMode_HalfConfigured_ExitsListingEveryProblem()
    {
        using var data = new TempDirectory();
        await using var host = HostProcess.Start(data.Path, null, null,
            "--Orleans:Clustering:ProviderType=AdoNet",
            "--Orleans:Clustering:Invariant=MySql.Data.MySqlClient",
            "--Orleans:AdvertisedAddress=silo-1.internal",
            "--Orleans:Tls:CertificateFile=/nonexistent/silo.pfx",
            "--Ekm:Downloads:SigningKey=c2hvcnQ=");
        var exit = await host.WaitForExitAsync();

        Assert.Equal(StartupFailure.ConfigurationExitCode, exit);
        Assert.Contains("Orleans:Clustering:Invariant is 'MySql.Data.MySqlClient': use 'Npgsql'", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("Orleans:Clustering has no connection string", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("they must also share reminders and grain state", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("Orleans:AdvertisedAddress 'silo-1.internal' is not an IP address", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("Orleans:Tls:CertificateFile '/nonexistent/silo.pfx' does not exist", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("Ekm:Downloads:SigningKey must be base64 of at least 32 bytes", host.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(host);
    }

    [Fact]
    public async Task ClusterMode_UnknownProvider_ExitsNamingTheKnownOnes()
    {
        using var data = new TempDirectory();
        await using var host = HostProcess.Start(data.Path, null, null, "--Orleans:Reminders:ProviderType=Cassandra");
        var exit = await host.WaitForExitAsync();

        Assert.Equal(StartupFailure.ConfigurationExitCode, exit);
        Assert.Contains("Could not find Reminders provider named 'Cassandra'", host.Stderr, StringComparison.Ordinal);
        Assert.Contains("AdoNet", host.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(host);
    }

    [Fact]
    public async Task EmbeddedHost_UnconvertibleValue_ExitsWithAClearMessage()
    {
        using var data = new TempDirectory();
        await using var host = HostProcess.Start(data.Path, null, null, "--Orleans:GatewayPort=thirty-thousand");
        var exit = await host.WaitForExitAsync();

        Assert.Equal(StartupFailure.ConfigurationExitCode, exit);
        Assert.Contains("Orleans:GatewayPort", host.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(host);
    }

    /// <summary>The vendor account's development credentials, as the banner prints them.</summary>
    private static AmazonKeyManagementServiceClient VendorKms(ChildHostProcess host)
    {
        var vendor = LocalKmsAccounts.Defaults().Single(a => a.AccountId == LocalKmsAccounts.VendorAccountId).AccessKeys[0];
        Assert.Contains(vendor.AccessKeyId, host.Stdout, StringComparison.Ordinal);
        return new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(vendor.AccessKeyId, vendor.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = host.LocalKmsAddress.ToString(), AuthenticationRegion = "us-east-1" });
    }

    private static void AssertNoStackTrace(ChildHostProcess host)
    {
        Assert.DoesNotContain("   at ", host.Stderr + host.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", host.Stderr + host.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex("ekm_dev_[A-Za-z0-9_-]{43}")]
    private static partial Regex DevKey();
}

/// <summary>A fact that needs IPv6 loopback; skipped, saying so, where the machine has none.</summary>
internal sealed class Ipv6LoopbackFactAttribute : FactAttribute
{
    public Ipv6LoopbackFactAttribute()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        }
        catch (SocketException)
        {
            Skip = "This machine has no IPv6 loopback (::1).";
        }
    }
}
