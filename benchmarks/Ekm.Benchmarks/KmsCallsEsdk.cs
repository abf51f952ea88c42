using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ekm.LocalKms.Faults;

namespace Ekm.Benchmarks;

/// <summary>
/// The AWS Encryption SDK for JavaScript side of the kms-calls benchmark: runs
/// <c>benchmarks/esdk-js/encrypt.mjs</c> under Node, resets the local KMS's counters between its
/// untimed warm-up and its timed run (the script waits for a line on stdin), and reads its result.
/// </summary>
internal static class KmsCallsEsdk
{
    public const string Folder = "benchmarks/esdk-js";

    public const string Script = "encrypt.mjs";

    /// <summary>How long the caching materials manager may reuse a data key (its maxAge).</summary>
    public static readonly TimeSpan CacheMaxAge = TimeSpan.FromMinutes(5);

    /// <summary>The script's folder, looked for from the working directory up, then from the binary up; null if not found.</summary>
    public static string? Find(string? explicitFolder)
    {
        if (explicitFolder is not null)
        {
            return File.Exists(Path.Combine(explicitFolder, Script)) ? Path.GetFullPath(explicitFolder) : null;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, Folder);
                if (File.Exists(Path.Combine(candidate, Script)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Whether <c>npm ci</c> has run in <paramref name="folder"/>.</summary>
    public static bool Installed(string folder) =>
        File.Exists(Path.Combine(folder, "node_modules", "@aws-crypto", "client-node", "package.json"));

    /// <summary><c>node --version</c>, or null when there is no node on the PATH.</summary>
    public static async Task<string?> NodeVersionAsync()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var version = (await node.StandardOutput.ReadToEndAsync()).Trim();
            await node.WaitForExitAsync();
            return node.ExitCode == 0 ? version : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Encrypts <paramref name="items"/> messages with <paramref name="keyArn"/> as the generator key,
    /// signed with <paramref name="credentials"/>, behind the default materials manager
    /// (<paramref name="cacheMessages"/> 0) or a caching one that reuses a data key for that many
    /// messages, with the SDK's default algorithm suite or <paramref name="suite"/>. Every message is
    /// written durably under <paramref name="outFolder"/>, as BackupStore writes items. The counts are
    /// the local KMS's own, over the timed part only.
    /// </summary>
    public static async Task<EsdkRun> RunAsync(
        string folder, BenchHost host, string keyArn, (string AccessKeyId, string Secret) credentials, string tenantId,
        int items, int size, int concurrency, int cacheMessages, int? suite, string outFolder)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Script, host.Kms.Endpoint.ToString(), keyArn, Invariant(items), Invariant(size),
            "--concurrency", Invariant(concurrency),
            "--context", $"ekm-tenant={tenantId}",
            "--cache-messages", Invariant(cacheMessages),
            "--cache-max-age-ms", Invariant((int)CacheMaxAge.TotalMilliseconds),
            "--out", outFolder,
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (suite is { } id)
        {
            start.ArgumentList.Add("--suite");
            start.ArgumentList.Add(Invariant(id));
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = credentials.Secret;

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var errors = node.StandardError.ReadToEndAsync();
        try
        {
            var ready = await ReadLineAsync(node, "ready", errors);
            host.Kms.Counters.Reset();
            await node.StandardInput.WriteLineAsync("go");
            await node.StandardInput.FlushAsync();
            var result = await ReadLineAsync(node, "result", errors);

            // Every call the script made was answered before it printed its result, so it is counted by now.
            var calls = host.Kms.Counters.Snapshot();
            await node.WaitForExitAsync();
            return new EsdkRun(
                result.GetProperty("seconds").GetDouble(),
                result.GetProperty("bytesOut").GetDouble() / items,
                result.GetProperty("suiteId").GetInt32(),
                ready.GetProperty("esdk").GetString()!,
                ready.GetProperty("clientKms").GetString()!,
                calls);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill();
            }
        }
    }

    /// <summary>The next JSON line on the script's stdout, which must carry <paramref name="member"/>.</summary>
    private static async Task<JsonElement> ReadLineAsync(Process node, string member, Task<string> errors)
    {
        var line = await node.StandardOutput.ReadLineAsync();
        if (line is null)
        {
            await node.WaitForExitAsync();
            throw new InvalidOperationException($"node {Script} exited ({node.ExitCode}) before printing '{member}':{Environment.NewLine}{await errors}");
        }

        using var document = JsonDocument.Parse(line);
        return document.RootElement.TryGetProperty(member, out var value)
            ? value.Clone()
            : throw new InvalidOperationException($"node {Script} printed '{line}', expected '{member}'.");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What one run of the script measured; <see cref="Calls"/> are the local KMS's own counts during its timed part.</summary>
internal sealed record EsdkRun(double Seconds, double BytesPerItem, int SuiteId, string EsdkVersion, string ClientKmsVersion, IReadOnlyList<CallCount> Calls);
