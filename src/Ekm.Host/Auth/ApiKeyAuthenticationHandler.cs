using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Ekm.Host.Endpoints;
using Ekm.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Auth;

/// <summary>
/// Bearer API keys (<c>Authorization: Bearer KEY</c>). Browsers cannot add a bearer header to a
/// page load, so the dashboard also takes HTTP Basic with the key as the password.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrEmpty(value.Parameter))
        {
            return Task.FromResult(AuthenticateResult.Fail("Malformed Authorization header."));
        }

        var presented = value.Scheme.ToUpperInvariant() switch
        {
            "BEARER" => value.Parameter,
            "BASIC" => PasswordOf(value.Parameter),
            _ => null,
        };
        if (presented is null || keys.Find(presented) is not { } identity)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var principal = new ClaimsPrincipal(identity.Clone());
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.Append("WWW-Authenticate", "Bearer");
        if (Request.Path.StartsWithSegments("/dashboard"))
        {
            // Only the dashboard is for a browser's password prompt: offering Basic on the API would
            // make browsers prompt for (and scripts such as the console wait on) a password.
            Response.Headers.Append("WWW-Authenticate", "Basic realm=\"Ekm.Orleans\", charset=\"UTF-8\"");
        }

        await ProblemResults.WriteAsync(Context, ProblemSlugs.Unauthenticated,
            "An API key is required: send 'Authorization: Bearer <key>'. The embedded host prints its development key at first start.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await ProblemResults.WriteAsync(Context, ProblemSlugs.Forbidden,
            "This API key's role does not allow this request, or the key does not administer this tenant.");

    private static string? PasswordOf(string parameter)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
