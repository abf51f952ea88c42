namespace Ekm.Problems;

/// <summary>
/// An expected refusal (terms not accepted, key revoked, ...) carrying its stable problem slug.
/// It crosses grain calls, so it is serializable; its message is shown to tenant admins and must
/// never contain key material.
/// </summary>
[GenerateSerializer, Alias("Ekm.Problems.EkmProblemException")]
public sealed class EkmProblemException : Exception
{
    public EkmProblemException(string slug, string detail)
        : base(detail)
    {
        Slug = slug;
    }

    public EkmProblemException()
    {
        Slug = ProblemSlugs.InternalError;
    }

    public EkmProblemException(string message)
        : base(message)
    {
        Slug = ProblemSlugs.InternalError;
    }

    public EkmProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Slug = ProblemSlugs.InternalError;
    }

    /// <summary>The stable problem <c>type</c>, e.g. <c>key-revoked</c>.</summary>
    [Id(0)]
    public string Slug { get; init; }
}
