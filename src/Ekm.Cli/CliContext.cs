using System.CommandLine;
using System.Text.Json;
using Ekm.Cli.Api;

namespace Ekm.Cli;

/// <summary>One invocation: its parsed options, where to write, and the API client it needs.</summary>
internal sealed class CliContext(ParseResult parse, GlobalOptions options, TextWriter output, TextWriter error, bool terminal) : IDisposable
{
    private EkmApi? _api;

    public ParseResult Parse => parse;

    public TextWriter Out => output;

    public TextWriter Err => error;

    public bool Json => parse.GetValue(options.Output) == "json";

    /// <summary>Stdout is a terminal and the output is for people: progress may redraw a line.</summary>
    public bool Terminal => terminal && !Json;

    public Uri Url
    {
        get
        {
            var text = parse.GetValue(options.Url) ?? GlobalOptions.DefaultUrl;
            return Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                ? url
                : throw CliException.Usage($"--url must be an http:// or https:// URL, not '{text}'.");
        }
    }

    /// <summary>Whether a service URL was given (option or environment) rather than defaulted.</summary>
    public bool UrlGiven => parse.GetResult(options.Url) is { Implicit: false } || GlobalOptions.Env(GlobalOptions.UrlVariable) is not null;

    public string? ApiKey => parse.GetValue(options.ApiKey);

    public string? TenantOrNull => parse.GetValue(options.Tenant);

    public string Tenant => TenantOrNull
        ?? throw CliException.Usage($"This command is about one tenant: give --tenant TENANT or set {GlobalOptions.TenantVariable}.");

    public EkmApi Api => _api ??= new EkmApi(Url, ApiKey);

    public T Get<T>(Option<T> option) => parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => parse.GetValue(argument)!;

    public void WriteJson(JsonElement json) => output.WriteLine(ApiJson.Print(json));

    public void WriteJson<T>(T value) => output.WriteLine(ApiJson.Print(value));

    /// <summary>The API's JSON with <c>--output json</c>, else the text <paramref name="render"/> writes.</summary>
    public void Write(JsonElement json, Action render)
    {
        if (Json)
        {
            WriteJson(json);
        }
        else
        {
            render();
        }
    }

    public void Line(string text = "") => output.WriteLine(text);

    public void Note(string text) => error.WriteLine(text);

    public void Dispose() => _api?.Dispose();
}
