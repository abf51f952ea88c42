using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ekm.Problems;

namespace Ekm.Cli.Api;

/// <summary>
/// The service's HTTP API with a bearer API key. Every refusal becomes a <see cref="CliException"/>
/// carrying the problem; an unreachable service is <c>service-unavailable</c> (exit 7).
/// </summary>
internal sealed class EkmApi : IDisposable
{
    private readonly HttpClient _http;

    public EkmApi(Uri baseAddress, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>A tenant's path segment.</summary>
    public static string Tenant(string tenantId) => "api/tenants/" + Uri.EscapeDataString(tenantId);

    public async Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, path, null, cancellationToken)).Json;

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        ApiJson.Read<T>(await GetAsync(path, cancellationToken));

    public async Task<JsonElement> PostAsync(string path, object? body, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, path, body, cancellationToken)).Json;

    public async Task<JsonElement> PutAsync(string path, object? body, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Put, path, body, cancellationToken)).Json;

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: ApiJson.Options);
        }

        using var response = await SendRawAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw CliException.From(ApiProblem.From((int)response.StatusCode, text));
        }

        JsonElement json;
        try
        {
            json = string.IsNullOrWhiteSpace(text) ? default : ApiJson.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.Unexpected, ProblemSlugs.InternalError,
                $"{method} /{path} answered {(int)response.StatusCode} with a body that is not JSON: is {BaseAddress} the Ekm service?", null, ex);
        }

        return new ApiResponse((int)response.StatusCode, json, response.Headers.Location);
    }

    /// <summary>A plain-text answer (health endpoints), whatever its status.</summary>
    public async Task<(int Status, string Text)> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendRawAsync(request, cancellationToken);
        return ((int)response.StatusCode, (await response.Content.ReadAsStringAsync(cancellationToken)).Trim());
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw CliException.From(ApiProblem.Made((int)HttpStatusCode.ServiceUnavailable, ProblemSlugs.ServiceUnavailable,
                $"Could not reach the Ekm service at {BaseAddress} ({ex.Message}). Is it running? Set --url or EKM_URL."));
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unavailable, ProblemSlugs.ServiceUnavailable,
                $"The Ekm service at {BaseAddress} did not answer {request.Method} /{request.RequestUri} within {_http.Timeout.TotalSeconds:0} s.", null, ex);
        }
    }

    public void Dispose() => _http.Dispose();
}

internal sealed record ApiResponse(int Status, JsonElement Json, Uri? Location);
