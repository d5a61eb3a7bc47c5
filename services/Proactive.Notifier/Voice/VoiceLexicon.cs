namespace Proactive.Notifier.Voice;

/// <summary>
/// The words the classifier knows, as data: one table per topic and language, then the tone words
/// (no topic), negators and intensifiers.
/// <para>
/// How it was built: by hand, from the phrasing of delivery complaints and thanks in Korean and
/// English (the examples, the replies our notices invite, common review wording), then
/// tuned on the labelled phrases in VoiceClassifierTests until every one was right.
/// </para>
/// <para>
/// How to extend: add a row to the right table and a labelled phrase to VoiceClassifierTests.
/// English patterns are whole words, lower case; a trailing <c>*</c> allows any ending
/// ("damag*" = damage, damaged, damaging); a space between words allows any spaces or a hyphen.
/// Korean patterns are stems matched anywhere, so particles and endings need no rows ("불친절"
/// covers 불친절했어요, 불친절하고, 불친절한); a space allows none or any. When two rows overlap the
/// longer match wins ("불친절" over "친절", "not on time" over "on time"). Polarity: -1.5..+1.5 for
/// a tone, 0 for a mention of the topic.
/// </para>
/// </summary>
public static class VoiceLexicon
{
    public static readonly IReadOnlyList<VoiceCue> KoreanLate =
    [
        new("늦", VoiceTopic.Late, -1),
        new("지연", VoiceTopic.Late, -1),
        new("느려", VoiceTopic.Late, -1),
        new("느리", VoiceTopic.Late, -1),
        new("아직도", VoiceTopic.Late, -1),
        new("아직 안", VoiceTopic.Late, -1),
        new("아직 못", VoiceTopic.Late, -1),
        new("안 와", VoiceTopic.Late, -1),
        new("안 왔", VoiceTopic.Late, -1),
        new("안 오네", VoiceTopic.Late, -1),
        new("안 오고", VoiceTopic.Late, -1),
        new("안 오는", VoiceTopic.Late, -1),
        new("안 오나", VoiceTopic.Late, -1),
        new("안 오면", VoiceTopic.Late, -1),
        new("안 옴", VoiceTopic.Late, -1),
        new("못 받", VoiceTopic.Late, -1),
        new("언제 와", VoiceTopic.Late, -1),
        new("언제 오", VoiceTopic.Late, -1),
        new("언제 도착", VoiceTopic.Late, -1),
        new("빨리 보내", VoiceTopic.Late, -0.5),
        new("빨리 좀", VoiceTopic.Late, -0.5),
        new("기다렸", VoiceTopic.Late, -0.5),
        new("기다리", VoiceTopic.Late, -0.5),
    ];

    public static readonly IReadOnlyList<VoiceCue> KoreanDamaged =
    [
        new("파손", VoiceTopic.Damaged, -1),
        new("훼손", VoiceTopic.Damaged, -1),
        new("손상", VoiceTopic.Damaged, -1),
        new("깨졌", VoiceTopic.Damaged, -1),
        new("깨져", VoiceTopic.Damaged, -1),
        new("깨진", VoiceTopic.Damaged, -1),
        new("깨지", VoiceTopic.Damaged, -1),
        new("부서졌", VoiceTopic.Damaged, -1),
        new("부서져", VoiceTopic.Damaged, -1),
        new("부서진", VoiceTopic.Damaged, -1),
        new("찌그러", VoiceTopic.Damaged, -1),
        new("찢어", VoiceTopic.Damaged, -1),
        new("찢겨", VoiceTopic.Damaged, -1),
        new("찢어진", VoiceTopic.Damaged, -1),
        new("망가", VoiceTopic.Damaged, -1),
        new("터졌", VoiceTopic.Damaged, -1),
        new("터져", VoiceTopic.Damaged, -1),
        new("젖었", VoiceTopic.Damaged, -1),
        new("젖어", VoiceTopic.Damaged, -1),
        new("흠집", VoiceTopic.Damaged, -1),
        new("새서", VoiceTopic.Damaged, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> KoreanWrongItem =
    [
        new("오배송", VoiceTopic.WrongItem, -1),
        new("잘못 배송", VoiceTopic.WrongItem, -1),
        new("잘못 왔", VoiceTopic.WrongItem, -1),
        new("잘못 온", VoiceTopic.WrongItem, -1),
        new("잘못 보내", VoiceTopic.WrongItem, -1),
        new("다른 상품", VoiceTopic.WrongItem, -1),
        new("다른 물건", VoiceTopic.WrongItem, -1),
        new("다른 제품", VoiceTopic.WrongItem, -1),
        new("다른 게 왔", VoiceTopic.WrongItem, -1),
        new("다른 거 왔", VoiceTopic.WrongItem, -1),
        new("다른 게 와", VoiceTopic.WrongItem, -1),
        new("다른 거 와", VoiceTopic.WrongItem, -1),
        new("엉뚱한", VoiceTopic.WrongItem, -1),
        new("주문한 거랑 달", VoiceTopic.WrongItem, -1),
        new("주문한 것과 달", VoiceTopic.WrongItem, -1),
        new("주문한 게 아니", VoiceTopic.WrongItem, -1),
        new("주문한 거 아니", VoiceTopic.WrongItem, -1),
        new("색상이 달", VoiceTopic.WrongItem, -1),
        new("사이즈가 달", VoiceTopic.WrongItem, -1),
        new("누락", VoiceTopic.WrongItem, -1),
        new("뒤바뀌", VoiceTopic.WrongItem, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> KoreanCourier =
    [
        new("기사", VoiceTopic.CourierBehaviour, 0),
        new("배달원", VoiceTopic.CourierBehaviour, 0),
        new("택배원", VoiceTopic.CourierBehaviour, 0),
        new("태도", VoiceTopic.CourierBehaviour, 0),
        new("불친절", VoiceTopic.CourierBehaviour, -1),
        new("무례", VoiceTopic.CourierBehaviour, -1),
        new("반말", VoiceTopic.CourierBehaviour, -1),
        new("욕설", VoiceTopic.CourierBehaviour, -1),
        new("욕을", VoiceTopic.CourierBehaviour, -1),
        new("욕했", VoiceTopic.CourierBehaviour, -1),
        new("던지", VoiceTopic.CourierBehaviour, -1),
        new("던져", VoiceTopic.CourierBehaviour, -1),
        new("던졌", VoiceTopic.CourierBehaviour, -1),
        new("싸가지", VoiceTopic.CourierBehaviour, -1),
        new("함부로", VoiceTopic.CourierBehaviour, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> KoreanCommunication =
    [
        new("연락", VoiceTopic.Communication, 0),
        new("안내", VoiceTopic.Communication, 0),
        new("알림", VoiceTopic.Communication, 0),
        new("알려", VoiceTopic.Communication, 0),
        new("문자", VoiceTopic.Communication, 0),
        new("메일", VoiceTopic.Communication, 0),
        new("통보", VoiceTopic.Communication, 0),
        new("공지", VoiceTopic.Communication, 0),
        new("전화", VoiceTopic.Communication, 0),
        new("말도 없이", VoiceTopic.Communication, -1),
        new("말없이", VoiceTopic.Communication, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> KoreanPraise =
    [
        new("친절", VoiceTopic.Praise, 1),
        new("상냥", VoiceTopic.Praise, 1),
        new("감사", VoiceTopic.Praise, 1),
        new("고맙", VoiceTopic.Praise, 1),
        new("고마워", VoiceTopic.Praise, 1),
        new("고마운", VoiceTopic.Praise, 1),
        new("좋", VoiceTopic.Praise, 1),
        new("최고", VoiceTopic.Praise, 1.5),
        new("만족", VoiceTopic.Praise, 1),
        new("수고", VoiceTopic.Praise, 1),
        new("잘 받", VoiceTopic.Praise, 1),
        new("잘 왔", VoiceTopic.Praise, 1),
        new("잘 도착", VoiceTopic.Praise, 1),
        new("안전하게", VoiceTopic.Praise, 1),
        new("꼼꼼", VoiceTopic.Praise, 1),
        new("훌륭", VoiceTopic.Praise, 1),
        new("감동", VoiceTopic.Praise, 1),
        new("빨리", VoiceTopic.Praise, 1),
        new("빠르", VoiceTopic.Praise, 1),
        new("빠른", VoiceTopic.Praise, 1),
        new("빨랐", VoiceTopic.Praise, 1),
        new("신속", VoiceTopic.Praise, 1),
        new("편했", VoiceTopic.Praise, 1),
        new("편하", VoiceTopic.Praise, 1),
        new("편리", VoiceTopic.Praise, 1),
        new("미리", VoiceTopic.Praise, 0.5),
    ];

    /// <summary>Korean tone words with no topic of their own.</summary>
    public static readonly IReadOnlyList<VoiceCue> KoreanTone =
    [
        new("불만족", null, -1),
        new("불만", null, -1),
        new("나쁘", null, -1),
        new("나빠", null, -1),
        new("나쁜", null, -1),
        new("나빴", null, -1),
        new("별로", null, -1),
        new("실망", null, -1),
        new("화가", null, -1),
        new("화나", null, -1),
        new("최악", null, -1.5),
        new("엉망", null, -1),
        new("짜증", null, -1),
        new("답답", null, -1),
        new("어이없", null, -1),
        new("황당", null, -1),
        new("문제", null, -0.5),
        new("괜찮", null, 0.5),
        new("ㅠㅠ", null, -0.5),
        new("ㅜㅜ", null, -0.5),
        new("ㅡㅡ", null, -0.5),
        new("ㅎㅎ", null, 0.5),
        new("^^", null, 0.5),
    ];

    public static readonly IReadOnlyList<VoiceCue> EnglishLate =
    [
        new("late", VoiceTopic.Late, -1),
        new("delay*", VoiceTopic.Late, -1),
        new("slow*", VoiceTopic.Late, -1),
        new("overdue", VoiceTopic.Late, -1),
        new("still waiting", VoiceTopic.Late, -1),
        new("waiting for", VoiceTopic.Late, -0.5),
        new("took forever", VoiceTopic.Late, -1),
        new("took ages", VoiceTopic.Late, -1),
        new("not on time", VoiceTopic.Late, -1),
        new("not arrived", VoiceTopic.Late, -1),
        new("not arrive", VoiceTopic.Late, -1),
        new("never arrived", VoiceTopic.Late, -1),
        new("never came", VoiceTopic.Late, -1),
        new("not here yet", VoiceTopic.Late, -1),
        new("not received", VoiceTopic.Late, -1),
        new("not receive", VoiceTopic.Late, -1),
        new("never received", VoiceTopic.Late, -1),
        new("not delivered", VoiceTopic.Late, -1),
        new("where is my", VoiceTopic.Late, -1),
        new("where is it", VoiceTopic.Late, -1),
        new("where's my", VoiceTopic.Late, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> EnglishDamaged =
    [
        new("damag*", VoiceTopic.Damaged, -1),
        new("broken", VoiceTopic.Damaged, -1),
        new("broke", VoiceTopic.Damaged, -1),
        new("crush*", VoiceTopic.Damaged, -1),
        new("dent", VoiceTopic.Damaged, -1),
        new("dented", VoiceTopic.Damaged, -1),
        new("smash*", VoiceTopic.Damaged, -1),
        new("squash*", VoiceTopic.Damaged, -1),
        new("torn", VoiceTopic.Damaged, -1),
        new("ripped", VoiceTopic.Damaged, -1),
        new("leak*", VoiceTopic.Damaged, -1),
        new("soaked", VoiceTopic.Damaged, -1),
        new("wet", VoiceTopic.Damaged, -1),
        new("cracked", VoiceTopic.Damaged, -1),
        new("shattered", VoiceTopic.Damaged, -1),
        new("scratch*", VoiceTopic.Damaged, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> EnglishWrongItem =
    [
        new("wrong item*", VoiceTopic.WrongItem, -1),
        new("wrong product*", VoiceTopic.WrongItem, -1),
        new("wrong order", VoiceTopic.WrongItem, -1),
        new("wrong parcel", VoiceTopic.WrongItem, -1),
        new("wrong package", VoiceTopic.WrongItem, -1),
        new("wrong size", VoiceTopic.WrongItem, -1),
        new("wrong colo*", VoiceTopic.WrongItem, -1),
        new("wrong one", VoiceTopic.WrongItem, -1),
        new("wrong thing", VoiceTopic.WrongItem, -1),
        new("not what i ordered", VoiceTopic.WrongItem, -1),
        new("different item", VoiceTopic.WrongItem, -1),
        new("someone else's", VoiceTopic.WrongItem, -1),
        new("missing item*", VoiceTopic.WrongItem, -1),
        new("item* missing", VoiceTopic.WrongItem, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> EnglishCourier =
    [
        new("driver*", VoiceTopic.CourierBehaviour, 0),
        new("courier*", VoiceTopic.CourierBehaviour, 0),
        new("delivery guy", VoiceTopic.CourierBehaviour, 0),
        new("delivery man", VoiceTopic.CourierBehaviour, 0),
        new("deliveryman", VoiceTopic.CourierBehaviour, 0),
        new("delivery person", VoiceTopic.CourierBehaviour, 0),
        new("postman", VoiceTopic.CourierBehaviour, 0),
        new("mailman", VoiceTopic.CourierBehaviour, 0),
        new("attitude", VoiceTopic.CourierBehaviour, 0),
        new("knock*", VoiceTopic.CourierBehaviour, 0),
        new("rang", VoiceTopic.CourierBehaviour, 0),
        new("doorbell", VoiceTopic.CourierBehaviour, 0),
        new("rude*", VoiceTopic.CourierBehaviour, -1),
        new("impolite", VoiceTopic.CourierBehaviour, -1),
        new("unfriendly", VoiceTopic.CourierBehaviour, -1),
        new("unprofessional", VoiceTopic.CourierBehaviour, -1),
        new("careless*", VoiceTopic.CourierBehaviour, -1),
        new("threw", VoiceTopic.CourierBehaviour, -1),
        new("thrown", VoiceTopic.CourierBehaviour, -1),
        new("throwing", VoiceTopic.CourierBehaviour, -1),
        new("yelled", VoiceTopic.CourierBehaviour, -1),
        new("shouted", VoiceTopic.CourierBehaviour, -1),
        new("left it in the rain", VoiceTopic.CourierBehaviour, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> EnglishCommunication =
    [
        new("told", VoiceTopic.Communication, 0),
        new("tell*", VoiceTopic.Communication, 0),
        new("inform*", VoiceTopic.Communication, 0),
        new("notif*", VoiceTopic.Communication, 0),
        new("update*", VoiceTopic.Communication, 0),
        new("messag*", VoiceTopic.Communication, 0),
        new("email*", VoiceTopic.Communication, 0),
        new("let me know", VoiceTopic.Communication, 0),
        new("letting me know", VoiceTopic.Communication, 0),
        new("heads up", VoiceTopic.Communication, 0),
        new("contact*", VoiceTopic.Communication, 0),
        new("warn*", VoiceTopic.Communication, 0),
        new("kept me posted", VoiceTopic.Communication, 1),
        new("kept me informed", VoiceTopic.Communication, 1),
        new("keep me posted", VoiceTopic.Communication, 0),
        new("no word", VoiceTopic.Communication, -1),
    ];

    public static readonly IReadOnlyList<VoiceCue> EnglishPraise =
    [
        new("thank*", VoiceTopic.Praise, 1),
        new("thx", VoiceTopic.Praise, 1),
        new("great", VoiceTopic.Praise, 1),
        new("good", VoiceTopic.Praise, 1),
        new("excellent", VoiceTopic.Praise, 1.5),
        new("amazing", VoiceTopic.Praise, 1.5),
        new("awesome", VoiceTopic.Praise, 1.5),
        new("fantastic", VoiceTopic.Praise, 1.5),
        new("wonderful", VoiceTopic.Praise, 1.5),
        new("perfect*", VoiceTopic.Praise, 1.5),
        new("best", VoiceTopic.Praise, 1.5),
        new("love*", VoiceTopic.Praise, 1),
        new("happy", VoiceTopic.Praise, 1),
        new("satisf*", VoiceTopic.Praise, 1),
        new("appreciat*", VoiceTopic.Praise, 1),
        new("nice", VoiceTopic.Praise, 1),
        new("well done", VoiceTopic.Praise, 1),
        new("smooth*", VoiceTopic.Praise, 1),
        new("polite*", VoiceTopic.Praise, 1),
        new("friendly", VoiceTopic.Praise, 1),
        new("kind", VoiceTopic.Praise, 1),
        new("helpful", VoiceTopic.Praise, 1),
        new("courteous", VoiceTopic.Praise, 1),
        new("on time", VoiceTopic.Praise, 1),
        new("fast", VoiceTopic.Praise, 1),
        new("quick*", VoiceTopic.Praise, 1),
        new("early", VoiceTopic.Praise, 0.5),
    ];

    /// <summary>English tone words with no topic of their own.</summary>
    public static readonly IReadOnlyList<VoiceCue> EnglishTone =
    [
        new("bad", null, -1),
        new("terrible", null, -1.5),
        new("awful", null, -1.5),
        new("horrible", null, -1.5),
        new("worst", null, -1.5),
        new("disappoint*", null, -1),
        new("dissatisf*", null, -1),
        new("unsatisf*", null, -1),
        new("unhappy", null, -1),
        new("angry", null, -1),
        new("annoy*", null, -1),
        new("frustrat*", null, -1),
        new("poor*", null, -1),
        new("unacceptable", null, -1.5),
        new("ridiculous", null, -1),
        new("useless", null, -1),
        new("never again", null, -1.5),
        new("problem*", null, -0.5),
        new("issue*", null, -0.5),
        new("complain*", null, -0.5),
        new("ok", null, 0.1),
        new("okay", null, 0.1),
        new("fine", null, 0.1),
    ];

    /// <summary>Emoji carry tone in both languages.</summary>
    public static readonly IReadOnlyList<VoiceCue> Emoji =
    [
        new("👍", VoiceTopic.Praise, 1),
        new("😊", VoiceTopic.Praise, 1),
        new("🙂", VoiceTopic.Praise, 0.5),
        new("❤", VoiceTopic.Praise, 1),
        new("😡", null, -1),
        new("😠", null, -1),
        new("👎", null, -1),
        new("😞", null, -1),
    ];

    /// <summary>English words that negate a cue among the three words before it ("n't" is read as "not").</summary>
    public static readonly IReadOnlySet<string> EnglishNegators =
        new HashSet<string>(["not", "no", "never", "without", "nobody", "nothing", "none", "neither", "nor"], StringComparer.Ordinal);

    /// <summary>Korean words that negate the cue right after them: 안 늦었어요, 못 받았어요, 안친절해요.</summary>
    public static readonly IReadOnlySet<string> KoreanPrefixNegators =
        new HashSet<string>(["안", "못"], StringComparer.Ordinal);

    /// <summary>Korean stems that negate the cue before them, within two words: 늦지 않았어요, 파손 없이, 늦은 건 아니에요.</summary>
    public static readonly IReadOnlyList<string> KoreanSuffixNegators = ["않", "없", "아니", "아닌"];

    /// <summary>Words that strengthen the next cue (×1.5) when among the two words before it.</summary>
    public static readonly IReadOnlySet<string> Intensifiers = new HashSet<string>(
        ["very", "really", "so", "too", "extremely", "super", "totally", "completely", "absolutely", "incredibly",
         "너무", "정말", "진짜", "완전", "매우", "엄청", "아주", "넘", "참", "무척", "되게", "굉장히", "정말로", "진짜로"],
        StringComparer.Ordinal);

    public const double IntensifierFactor = 1.5;

    /// <summary>A negated tone counts this much of its weight, with the opposite sign: "not bad" is mildly good.</summary>
    public const double NegatedToneFactor = 0.5;

    /// <summary>A negated mention is a complaint about its absence: "nobody told me", "연락이 없었어요".</summary>
    public const double MissingMentionPolarity = -1;

    public static IEnumerable<VoiceCue> Korean =>
        [.. KoreanLate, .. KoreanDamaged, .. KoreanWrongItem, .. KoreanCourier, .. KoreanCommunication, .. KoreanPraise, .. KoreanTone];

    public static IEnumerable<VoiceCue> English =>
        [.. EnglishLate, .. EnglishDamaged, .. EnglishWrongItem, .. EnglishCourier, .. EnglishCommunication, .. EnglishPraise, .. EnglishTone];
}
