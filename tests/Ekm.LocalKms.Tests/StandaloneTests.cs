using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.LocalKms.Hosting;
using Ekm.Testing;

namespace Ekm.LocalKms.Tests;

/// <summary>The standalone program: <c>dotnet Ekm.LocalKms.dll --port N --data FILE</c>.</summary>
public sealed class StandaloneTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ekm-localkms-").FullName;

    [Fact]
    public async Task Standalone_KeysSurviveCtrlCAndRestart_SigtermStopsItToo()
    {
        var data = Path.Combine(_folder, "kms.db");
        string keyArn;
        var port = HostPorts.FreePort();
        using (var first = await StartAsync(port, data))
        {
            using var kms = CustomerA(port);
            keyArn = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "survives" })).KeyMetadata.Arn;
            await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyArn });
            Assert.Equal(0, await StopAsync(first));
        }

        port = HostPorts.FreePort();
        using (var second = await StartAsync(port, data))
        {
            using var kms = CustomerA(port);
            var described = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyArn });
            Assert.Equal("survives", described.KeyMetadata.Description);
            Assert.Equal(KeyState.Disabled, described.KeyMetadata.KeyState);
            Assert.Equal(0, await StopAsync(second, "-TERM"));
        }
    }

    [Fact]
    public async Task Standalone_BadPort_ExitsWithMessage()
    {
        using var process = Start("--port", "70000", "--data", "");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--port 70000", await process.StandardError.ReadToEndAsync(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<Process> StartAsync(int port, string data)
    {
        var process = Start("--port", port.ToString(CultureInfo.InvariantCulture), "--data", data);
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            if (line.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
                return process;
            }
        }

        throw new InvalidOperationException($"the local KMS exited early: {await process.StandardError.ReadToEndAsync()}");
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ekm.LocalKms.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    /// <summary>Ctrl+C by default; <c>-TERM</c> is what docker stop and systemd send.</summary>
    private static async Task<int> StopAsync(Process process, string signal = "-INT")
    {
        using (var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
    }

    private static AmazonKeyManagementServiceClient CustomerA(int port)
    {
        var key = LocalKmsAccounts.Defaults().Single(a => a.AccountId == LocalKmsAccounts.CustomerAAccountId).AccessKeys[0];
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials(key.AccessKeyId, key.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = $"http://127.0.0.1:{port}/", AuthenticationRegion = "us-east-1" });
    }
}
