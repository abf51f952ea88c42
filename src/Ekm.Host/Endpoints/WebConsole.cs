using Ekm.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Ekm.Host.Endpoints;

/// <summary>
/// The web console: static HTML, CSS and JavaScript modules under <c>/console/</c>, embedded in
/// this assembly so the host serves them wherever its binary runs (published, from a test's output
/// folder, in a container). The files hold no data and are served anonymously; every data call the
/// page makes goes to the JSON API with the API key the user typed in.
/// </summary>
internal static class WebConsole
{
    public const string Root = "/console/";

    /// <summary>
    /// Only this origin's scripts, styles and API; no inline script, no framing: the page handles an
    /// API key, so nothing injected or embedding it may run alongside.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly EmbeddedFileProvider Files = new(typeof(WebConsole).Assembly, "Ekm.Host.wwwroot.console");

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>The build, as the validator of every file: a new binary is a new console.</summary>
    private static readonly EntityTagHeaderValue Version = new($"\"{typeof(WebConsole).Assembly.ManifestModule.ModuleVersionId:N}\"");

    public static IEndpointRouteBuilder MapWebConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", ToConsole).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/console/{*file}", Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static RedirectHttpResult ToConsole(HttpRequest request) => TypedResults.Redirect(request.PathBase + Root);

    private static Results<FileStreamHttpResult, RedirectHttpResult, ProblemHttpResult> Serve(string? file, HttpRequest request, HttpResponse response)
    {
        // Routing matches /console like /console/, but the page's relative links need the slash.
        if (string.IsNullOrEmpty(file) && request.Path.Value?.EndsWith('/') != true)
        {
            return ToConsole(request);
        }

        var name = string.IsNullOrEmpty(file) ? "index.html" : file;
        var info = IsPlainName(name) ? Files.GetFileInfo(name) : null;
        if (info is not { Exists: true } || !ContentTypes.TryGetContentType(name, out var contentType))
        {
            return ProblemResults.Result(ProblemSlugs.NotFound, $"The console has no such file: open {Root}.");
        }

        if (contentType.StartsWith("text/", StringComparison.Ordinal))
        {
            contentType += "; charset=utf-8";
        }

        var headers = response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Stream(info.CreateReadStream(), contentType, lastModified: info.LastModified, entityTag: Version);
    }

    /// <summary>The console is one flat folder: a name with a slash or a leading dot names nothing in it.</summary>
    private static bool IsPlainName(string name) =>
        !name.StartsWith('.') && name.IndexOfAny(['/', '\\']) < 0;
}
