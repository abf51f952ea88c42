using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ekm.LocalKms.Engine;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.Primitives;

namespace Ekm.LocalKms.Protocol;

/// <summary>
/// Verifies AWS Signature Version 4 on a JSON 1.1 request and names the caller: the access key's
/// account and principal, and the region of the credential scope.
/// </summary>
internal sealed partial class SigV4Verifier
{
    private readonly Dictionary<string, (string Secret, string Account, string Principal)> _keys = new(StringComparer.Ordinal);

    public SigV4Verifier(IEnumerable<LocalKmsAccount> accounts)
    {
        foreach (var account in accounts)
        {
            foreach (var key in account.AccessKeys)
            {
                _keys[key.AccessKeyId] = (key.SecretAccessKey, account.AccountId,
                    key.PrincipalArn ?? $"arn:aws:iam::{account.AccountId}:user/{(account.Name.Length > 0 ? account.Name : key.AccessKeyId)}");
            }
        }
    }

    public Caller Verify(HttpRequest request, ReadOnlySpan<byte> body)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorization))
        {
            throw new KmsException(KmsErrors.MissingAuthenticationToken, "Missing Authentication Token", 400);
        }

        var m = AuthorizationPattern().Match(authorization);
        if (!m.Success)
        {
            throw new KmsException(KmsErrors.IncompleteSignature,
                "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters with AWS4-HMAC-SHA256.");
        }

        var accessKeyId = m.Groups["akid"].Value;
        var date = m.Groups["date"].Value;
        var region = m.Groups["region"].Value;
        var service = m.Groups["service"].Value;
        var signedHeaders = m.Groups["headers"].Value;
        if (!_keys.TryGetValue(accessKeyId, out var identity))
        {
            throw new KmsException(KmsErrors.UnrecognizedClient, "The security token included in the request is invalid.");
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (amzDate.Length < 8 || !amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            throw new KmsException(KmsErrors.IncompleteSignature, "The X-Amz-Date header is missing or does not match the credential scope date.");
        }

        if (service != "kms" || !signedHeaders.Split(';').Contains("host"))
        {
            throw new KmsException(KmsErrors.InvalidSignature, "Credential should be scoped to the 'kms' service, and the host header must be signed.");
        }

        // Signatures are valid for 15 minutes either side of the server's wall clock, as in AWS.
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var signedAt)
            || (DateTimeOffset.UtcNow - signedAt).Duration() > TimeSpan.FromMinutes(15))
        {
            throw new KmsException(KmsErrors.InvalidSignature, $"Signature expired or not yet current: {amzDate} is more than 15 minutes from the server's time.");
        }

        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var canonical = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(CanonicalPath(request.Path.Value)).Append('\n')
            .Append(CanonicalQuery(request.Query)).Append('\n');
        foreach (var name in signedHeaders.Split(';'))
        {
            canonical.Append(name).Append(':').Append(HeaderValue(request, name)).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";

        var signingKey = Hmac(Encoding.UTF8.GetBytes("AWS4" + identity.Secret), date);
        signingKey = Hmac(signingKey, region);
        signingKey = Hmac(signingKey, service);
        signingKey = Hmac(signingKey, "aws4_request");
        var expected = Hmac(signingKey, stringToSign);
        var presented = m.Groups["signature"].Value;
        if (presented.Length != 64 || !CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(presented)))
        {
            throw new KmsException(KmsErrors.InvalidSignature,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }

        return new Caller(identity.Account, identity.Principal, region);
    }

    private static string HeaderValue(HttpRequest request, string name)
    {
        StringValues values = name == "host" ? new StringValues(request.Host.Value) : request.Headers[name];
        return string.Join(',', values.Select(v => Whitespace().Replace(v?.Trim() ?? "", " ")));
    }

    private static string CanonicalPath(string? path) =>
        string.IsNullOrEmpty(path) ? "/" : string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string CanonicalQuery(IQueryCollection query) =>
        string.Join('&', query
            .SelectMany(p => p.Value.Select(v => (Key: Uri.EscapeDataString(p.Key), Value: Uri.EscapeDataString(v ?? ""))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    [GeneratedRegex(@"^AWS4-HMAC-SHA256\s+Credential=(?<akid>[^/,\s]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request,\s*SignedHeaders=(?<headers>[a-z0-9;\-]+),\s*Signature=(?<signature>[0-9a-f]+)\s*$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
