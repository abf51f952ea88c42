namespace Ekm.Cli.Tests;

/// <summary>The documented table (docs/cli.md): the family comes from the slug where it names one, else from the status.</summary>
public sealed class ExitCodeTableTests
{
    [Theory]
    [InlineData(400, "invalid-key-arn", 3)]
    [InlineData(400, "terms-not-accepted", 3)]
    [InlineData(400, "some-future-input-slug", 3)]
    [InlineData(401, "unauthenticated", 4)]
    [InlineData(403, "forbidden", 4)]
    [InlineData(404, "not-found", 4)]
    [InlineData(409, "ekm-not-activated", 5)]
    [InlineData(409, "ekm-irreversible", 5)]
    [InlineData(409, "some-future-state-slug", 5)]
    [InlineData(409, "key-revoked", 6)]
    [InlineData(422, "key-disabled", 6)]
    [InlineData(422, "key-access-denied", 6)]
    [InlineData(422, "some-future-kms-slug", 6)]
    [InlineData(503, "kms-unavailable", 7)]
    [InlineData(503, "service-unavailable", 7)]
    [InlineData(429, "too-many-requests", 7)]
    [InlineData(413, "request-too-large", 3)]
    [InlineData(500, "internal-error", 1)]
    public void ForProblem_StatusAndSlug_IsTheDocumentedFamily(int status, string slug, int exitCode) =>
        Assert.Equal(exitCode, ExitCodes.ForProblem(status, slug));
}
