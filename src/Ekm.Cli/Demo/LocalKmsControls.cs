using System.Net.Http.Json;

namespace Ekm.Cli.Demo;

/// <summary>
/// The local KMS's loopback test controls (outside the KMS protocol, unauthenticated):
/// <c>POST /_local/faults</c> adds a fault rule, <c>DELETE /_local/faults</c> clears them.
/// </summary>
internal sealed class LocalKmsControls(Uri kms) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = kms, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Adds <paramref name="latencyMs"/> to every <paramref name="operation"/> call on <paramref name="keyId"/> (a key ARN or id; null: every call).</summary>
    public Task SlowDownAsync(string operation, string? keyId, int latencyMs, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, new { operation, keyId, latencyMs, throttleRate = 0, internalErrorRate = 0 }, cancellationToken);

    public Task ClearFaultsAsync(CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, null, cancellationToken);

    private async Task SendAsync(HttpMethod method, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "_local/faults");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(ExitCodes.DemoStepFailed, "local-kms-controls",
                    $"{method} {kms}_local/faults answered {(int)response.StatusCode}: is {kms} the bundled local KMS?");
            }
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Unavailable, "kms-unreachable", $"Could not reach the local KMS's test controls at {kms}: {ex.Message}", null, ex);
        }
    }

    public void Dispose() => _http.Dispose();
}
