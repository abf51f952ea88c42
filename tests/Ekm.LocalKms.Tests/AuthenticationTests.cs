using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms.Tests;

/// <summary>SigV4 as AWS KMS checks it: who signed, with which secret, over which bytes.</summary>
public sealed class AuthenticationTests(LocalKmsFixture kms) : IClassFixture<LocalKmsFixture>
{
    [Fact]
    public async Task Request_Unsigned_IsMissingAuthenticationToken()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, kms.Server.Endpoint)
        {
            Content = new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("application/x-amz-json-1.1")),
        };
        request.Headers.Add("X-Amz-Target", "TrentService.ListKeys");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("MissingAuthenticationTokenException", body.RootElement.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Request_UnknownAccessKey_IsUnrecognizedClient()
    {
        using var client = kms.Client("AKIAEKMUNKNOWN000001", "not-a-secret-this-server-knows");

        await KmsCalls.ErrorAsync("UnrecognizedClientException", () => client.ListKeysAsync(new ListKeysRequest()));
    }

    [Fact]
    public async Task Request_KnownAccessKeyWrongSecret_IsInvalidSignature()
    {
        var accessKeyId = kms.Server.Accounts.Single(a => a.AccountId == LocalKmsAccounts.CustomerAAccountId).AccessKeys[0].AccessKeyId;
        using var client = kms.Client(accessKeyId, "a-secret-that-is-not-customer-a-secret");

        await KmsCalls.ErrorAsync("InvalidSignatureException", () => client.ListKeysAsync(new ListKeysRequest()));
    }

    [Fact]
    public async Task Request_BodyChangedAfterSigning_IsInvalidSignature()
    {
        var key = kms.Server.Accounts.Single(a => a.AccountId == LocalKmsAccounts.CustomerAAccountId).AccessKeys[0];
        var http = new TamperingHttpClientFactory();
        using var client = LocalKmsFixture.Client(kms.Server.Endpoint, key.AccessKeyId, key.SecretAccessKey, http: http);
        var request = new CreateKeyRequest { Description = "signed by the sdk" };

        // The same client and handler, passing the body through, is accepted: only the change is refused.
        var untouched = await client.CreateKeyAsync(request);
        http.Tamper = true;
        await KmsCalls.ErrorAsync("InvalidSignatureException", () => client.CreateKeyAsync(request));

        Assert.Equal("signed by the sdk", untouched.KeyMetadata.Description);
        Assert.Equal(1, http.Tampered);
    }

    /// <summary>Puts a handler under the SDK that, when told to, rewrites the signed body before it is sent.</summary>
    private sealed class TamperingHttpClientFactory : HttpClientFactory
    {
        public bool Tamper { get; set; }

        public int Tampered { get; private set; }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new BodyRewriter(this));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

        private sealed class BodyRewriter(TamperingHttpClientFactory owner) : DelegatingHandler(new SocketsHttpHandler())
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (owner.Tamper && request.Content is { } signed)
                {
                    var body = await signed.ReadAsStringAsync(cancellationToken);
                    var forged = body.Replace("signed by the sdk", "forged in transit", StringComparison.Ordinal);
                    Assert.NotEqual(body, forged);
                    Assert.Equal(Encoding.UTF8.GetByteCount(body), Encoding.UTF8.GetByteCount(forged));
                    var content = new ByteArrayContent(Encoding.UTF8.GetBytes(forged));
                    foreach (var header in signed.Headers.Where(h => h.Key != "Content-Length"))
                    {
                        content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }

                    request.Content = content;
                    owner.Tampered++;
                }

                return await base.SendAsync(request, cancellationToken);
            }
        }
    }
}
