using System.Text.Json;
using System.Text.Json.Nodes;
using Ekm.Problems;

namespace Ekm.Cli.Api;

/// <summary>An RFC 9457 problem as the service sent it (or as the CLI made it, when there was no answer).</summary>
internal sealed record ApiProblem(int Status, string Type, string Detail, JsonElement Json)
{
    public int ExitCode => ExitCodes.ForProblem(Status, Type);

    /// <summary>Reads a refusal; a body that is not a problem (a proxy's HTML page) still gets a slug from the status.</summary>
    public static ApiProblem From(int status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            {
                var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()!
                    : root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : $"HTTP {status}";
                return new ApiProblem(status, type.GetString()!, detail, root.Clone());
            }
        }
        catch (JsonException)
        {
            // Not JSON: described below from the status alone.
        }

        var slug = status switch
        {
            401 => ProblemSlugs.Unauthenticated,
            403 => ProblemSlugs.Forbidden,
            404 => ProblemSlugs.NotFound,
            503 => ProblemSlugs.ServiceUnavailable,
            >= 500 => ProblemSlugs.InternalError,
            _ => ProblemSlugs.InvalidRequestBody,
        };
        return Made(status, slug, $"The service answered HTTP {status} without a problem description.");
    }

    /// <summary>A problem the CLI describes itself, shaped like the service's, for <c>--output json</c>.</summary>
    public static ApiProblem Made(int status, string slug, string detail) =>
        new(status, slug, detail, Describe(slug, detail, status));

    /// <summary>Problem JSON; <paramref name="status"/> is left out for failures that never reached HTTP (usage).</summary>
    public static JsonElement Describe(string slug, string detail, int? status = null)
    {
        var json = new JsonObject { ["type"] = slug };
        if (status is { } s)
        {
            json["status"] = s;
        }

        json["detail"] = detail;
        return JsonSerializer.SerializeToElement(json);
    }
}
