"""arXiv e-prints built in code: LaTeX source trees of several real-world shapes, the
LaTeXML HTML of the same paper, and hostile archives (fictional content only).

Shapes (each a function returning the bytes arXiv's ``/e-print/`` would send):

* :func:`multi_file_eprint` -- ``main.tex`` with ``\\input`` of a macro file and of
  section files, its own ``\\newcommand``/``\\def`` macros, a ``.bbl``, booktabs
  tables (main results, ablation, an appendix table), a figure, ``\\iffalse``;
* :func:`single_tex_eprint` -- one gzipped ``.tex``, not a tar (arXiv's form for a
  one-file paper);
* :func:`two_candidates_eprint` -- a conference main file named after its ``.bbl``
  next to a response letter that also has ``\\documentclass``, with ``\\subfile``;
* :func:`pdf_only_eprint` / :func:`plain_pdf_eprint` -- a tarball holding only a PDF,
  and a PDF served as the "source";
* hostile: :func:`traversal_eprint`, :func:`symlink_eprint`, :func:`bomb_eprint`,
  :func:`truncated_eprint`.

The paper states the facts of :mod:`tests.fakes.product`'s replies in its prose, so
drafts of it pass the fact check; the tables hold numbers said nowhere else.
"""

from __future__ import annotations

import gzip
import io
import tarfile

MACROS = r"""
% Shortcuts of the paper.
\newcommand{\method}{EviGraph}
\newcommand{\hotpot}{HotpotQA}
\newcommand{\best}[1]{\textbf{#1}}
\newcommand{\sota}[2][EM]{#2~(#1)}
\def\ours{\method-R}
\DeclareMathOperator{\score}{score}
"""

INTRO = r"""
\section{Introduction}\label{sec:intro}
Large language models (LLMs) that answer multi-hop questions from retrieved passages
often cite evidence that does not support their answer~\cite{lewis2020rag,gao2023cite}.
We propose \method, a retrieval-augmented generation (RAG) method that organises the
retrieved passages into an evidence graph of sentence-level claims. % reviewers asked
A reranker keeps a connected subgraph of at most 12 claims, and the generator answers
from that subgraph only. On three benchmarks (\hotpot, 2WikiMultiHopQA and MuSiQue)
\method gains 4.2 points of exact match with an 8B backbone and raises citation
precision from 61.3\% to 78.9\%, adding 35 ms per question and cutting prompts by 41\%.
Section~\ref{sec:method} describes the graph and Section~\ref{sec:exp} the experiments;
Table~\ref{tab:main} holds the main results.
\iffalse
An older draft claimed 99.9\% precision here.
\fi
"""

METHOD = r"""
\section{Method}\label{sec:method}
\subsection{Evidence graphs}
Each retrieved passage is split into sentence-level claims. Two claims are joined by an
edge when they mention the same entity, so the graph of a question has claims as nodes
and shared entities as edges. The reranker scores a claim $c$ with
\begin{equation}\label{eq:score}
  \score(c) = \sigma\left( w^\top h_c + b \right),
\end{equation}
where $h_c \in \mathbb{R}^{d}$ is the claim's encoding. Equation~\eqref{eq:score} is
computed for every node; the subgraph of at most 12 claims with the highest total
score that stays connected is kept.
\subsection{Generation}
The generator sees the kept claims only and marks the claims it relies on. We train the
\ours{} variant with a citation loss so that every sentence of an answer points to at
least one claim of the subgraph. This keeps answers grounded in the evidence and makes
the citations checkable by a reader, who can follow each one to its claim.
"""

EXPERIMENTS = r"""
\section{Experiments}\label{sec:exp}
We compare \method with a dense-retrieval baseline that uses the same 8B backbone.
Table~\ref{tab:main} reports exact match (EM) and F1 on the three benchmarks.
\begin{table}[t]
\centering
\caption{Main results (EM / F1) on the three benchmarks.}\label{tab:main}
\begin{tabular}{lcccccc}
\toprule
 & \multicolumn{2}{c}{\hotpot} & \multicolumn{2}{c}{2WikiMultiHopQA}
  & \multicolumn{2}{c}{MuSiQue} \\
\cmidrule(lr){2-3}\cmidrule(lr){4-5}\cmidrule(lr){6-7}
Method & EM & F1 & EM & F1 & EM & F1 \\
\midrule
Dense RAG & 47.3 & 60.8 & 44.6 & 51.2 & 21.7 & 30.4 \\
\method & \best{52.9} & \best{66.1} & \best{48.5} & \best{55.9} & \best{26.0} & \best{35.3} \\
\bottomrule
\end{tabular}
\end{table}
The gains are largest on \hotpot. Table~\ref{tab:ablation} removes one part at a time.
\begin{table}[h]
\centering
\caption{Ablation on \hotpot{} (EM).}\label{tab:ablation}
\begin{tabular}{lc}
\hline
Variant & EM \\ \hline
\method & 52.9 \\
without the reranker & 49.8 \\
without entity edges & 50.6 \\
\hline
\end{tabular}
\end{table}
\begin{figure}[t]
\centering
\includegraphics[width=\linewidth]{figures/latency.pdf}
\caption{Latency per question; the reranker adds 35 ms.}\label{fig:latency}
\end{figure}
Figure~\ref{fig:latency} shows the added latency.
"""

APPENDIX = r"""
\section{Training details}\label{app:train}
Table~\ref{tab:hyper} lists the hyperparameters of the reranker.
\begin{table}[h]
\centering
\caption{Reranker hyperparameters.}\label{tab:hyper}
\begin{tabular}{ll}
\toprule
Parameter & Value \\
\midrule
learning rate & $2\times10^{-5}$ \\
batch size & 64 \\
epochs & 3 \\
warm-up steps & 500 \\
\bottomrule
\end{tabular}
\end{table}
"""

MAIN = r"""
\documentclass[11pt]{article}
\usepackage{booktabs,amsmath,graphicx}
\input{macros}
\title{\method: Evidence Graphs for Multi-Hop Question Answering}
\author{Ada Quillfeather \and Bruno Calloway}
\begin{document}
\maketitle
\begin{abstract}
We study \method-style retrieval-augmented generation (RAG) for multi-hop question
answering with large language models (LLMs). Retrieved passages become an evidence graph
of sentence-level claims; a reranker keeps a connected subgraph of at most 12 claims.
On \hotpot, 2WikiMultiHopQA and MuSiQue the method gains 4.2 points of exact match with
an 8B backbone and raises citation precision from 61.3\% to 78.9\%, adding 35 ms per
question and cutting prompts by 41\%.
\end{abstract}
\input{sections/intro}
\input{sections/method.tex}
\include{sections/experiments}
\section{Conclusion}
Organising evidence as a graph of claims makes multi-hop answers better supported and
their citations checkable, at a small cost in latency.
\bibliographystyle{plain}
\bibliography{refs}
\appendix
\input{sections/appendix}
\end{document}
"""

BBL = r"""\begin{thebibliography}{2}
\bibitem{lewis2020rag} P. Lewis et al. Retrieval-augmented generation. 2020.
\end{thebibliography}
"""

#: Numbers :data:`TABLE_COMMENT` cites that only the tables hold (as the fact check
#: normalises them), and the table each is in (as the paper numbers it).
TABLE_ONLY_NUMBERS = {
    "47.3": 1, "52.9": 1, "60.8": 1, "66.1": 1, "21.7": 1, "26": 1,
    "49.8": 2, "50.6": 2, "0.00002": 3, "64": 3, "500": 3,
}  # fmt: skip

#: A Comment 実験・結果 that cites the tables (what a model reading them writes).
TABLE_COMMENT = (
    "表1によると、HotpotQAのEMは47.3から52.9に、F1は60.8から66.1に向上。"
    "MuSiQueでもEMが21.7から26.0へ改善。"
    "表2のアブレーションでは再ランキング器を除くとEMが49.8、エンティティのエッジを除くと50.6に低下。"
    "付録の表3では再ランキング器を学習率2×10^-5、バッチサイズ64、ウォームアップ500ステップで学習。"
)


def _tar_gz(members: dict[str, bytes], *, links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def multi_file_tree() -> dict[str, bytes]:
    return {
        "main.tex": MAIN.encode(),
        "macros.tex": MACROS.encode(),
        "sections/intro.tex": INTRO.encode(),
        "sections/method.tex": METHOD.encode(),
        "sections/experiments.tex": EXPERIMENTS.encode(),
        "sections/appendix.tex": APPENDIX.encode(),
        "main.bbl": BBL.encode(),
        "figures/latency.pdf": b"%PDF-1.5 figure",
    }


def multi_file_eprint() -> bytes:
    return _tar_gz(multi_file_tree())


def single_tex(body_sections: str = INTRO + METHOD + EXPERIMENTS) -> str:
    """Everything in one file, macros defined inline (``\\def``, ``\\newcommand``)."""
    head, _, tail = MAIN.partition(r"\input{macros}")
    document = head + MACROS + tail
    for name in ("intro", "method.tex", "appendix"):
        document = document.replace(f"\\input{{sections/{name}}}", "")
    return document.replace(r"\include{sections/experiments}", body_sections)


def single_tex_eprint() -> bytes:
    return gzip.compress(single_tex().encode())


def two_candidates_eprint() -> bytes:
    letter = r"\documentclass{letter}\begin{document}Dear editors, we thank you.\end{document}"
    main = single_tex(INTRO + r"\subfile{parts/rest}")
    return _tar_gz(
        {
            "response_letter.tex": letter.encode(),
            "acl2024.tex": main.encode(),
            "acl2024.bbl": BBL.encode(),
            "parts/rest.tex": (METHOD + EXPERIMENTS).encode(),
        }
    )


def pdf_only_eprint() -> bytes:
    return _tar_gz({"paper.pdf": b"%PDF-1.5\n...%%EOF\n", "figure.png": b"\x89PNG"})


def plain_pdf_eprint() -> bytes:
    return b"%PDF-1.5\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def traversal_eprint() -> bytes:
    tree = multi_file_tree()
    tree["../../escaped.tex"] = b"\\documentclass{article}"
    return _tar_gz(tree)


def symlink_eprint() -> bytes:
    return _tar_gz(multi_file_tree(), links={"sections/passwd.tex": "/etc/passwd"})


def bomb_eprint(megabytes: int = 200) -> bytes:
    """A gzip that inflates to ``megabytes`` MB of zeros (about 0.1 % of that on the wire)."""
    compressor = gzip.GzipFile(fileobj=(buffer := io.BytesIO()), mode="wb", compresslevel=9)
    chunk = bytes(1 << 20)
    for _ in range(megabytes):
        compressor.write(chunk)
    compressor.close()
    return buffer.getvalue()


def truncated_eprint() -> bytes:
    data = multi_file_eprint()
    return data[: len(data) // 2]


ARXIV_HTML = """<!DOCTYPE html><html><head><title>EviGraph</title></head><body>
<div class="ltx_page_main"><article class="ltx_document ltx_authors_1line">
<h1 class="ltx_title ltx_title_document">EviGraph: Evidence Graphs for Multi-Hop Question
Answering</h1>
<div class="ltx_authors"><span class="ltx_personname">Ada Quillfeather</span></div>
<div class="ltx_abstract"><h6 class="ltx_title ltx_title_abstract">Abstract</h6>
<p class="ltx_p">We study EviGraph-style retrieval-augmented generation (RAG) for multi-hop
question answering. A reranker keeps a connected subgraph of at most 12 claims; the method
gains 4.2 points of exact match and raises citation precision from 61.3% to 78.9%.</p></div>
<section class="ltx_section" id="S1"><h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">1 </span>Introduction</h2>
<div class="ltx_para" id="S1.p1"><p class="ltx_p">{intro}
<cite class="ltx_cite ltx_citemacro_cite">[<a class="ltx_ref">1</a>]</cite>.</p></div>
</section>
<section class="ltx_section" id="S2"><h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">2 </span>Method</h2>
<section class="ltx_subsection" id="S2.SS1"><h3 class="ltx_title ltx_title_subsection">
<span class="ltx_tag ltx_tag_subsection">2.1 </span>Evidence graphs</h3>
<div class="ltx_para"><p class="ltx_p">The reranker scores a claim
<math alttext="c" display="inline"><mi>c</mi></math> with</p>
<table class="ltx_equation ltx_eqn_table" id="S2.E1"><tbody><tr class="ltx_equation">
<td class="ltx_eqn_cell"><math alttext="\\operatorname{score}(c)=\\sigma(w^{\\top}h_{c}+b)"
display="block"><mi>s</mi></math></td>
<td class="ltx_eqn_cell ltx_eqn_eqno"><span class="ltx_tag ltx_tag_equation">(1)</span></td>
</tr></tbody></table>
<p class="ltx_p">{method}</p></div></section>
</section>
<section class="ltx_section" id="S3"><h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">3 </span>Experiments</h2>
<figure class="ltx_table" id="S3.T1">
<figcaption class="ltx_caption"><span class="ltx_tag ltx_tag_table">Table 1: </span>Main
results (EM / F1) on the three benchmarks.</figcaption>
<table class="ltx_tabular"><tbody>
<tr class="ltx_tr"><td class="ltx_td">Method</td><td class="ltx_td">EM</td>
<td class="ltx_td">F1</td></tr>
<tr class="ltx_tr"><td class="ltx_td">Dense RAG</td><td class="ltx_td">47.3</td>
<td class="ltx_td">60.8</td></tr>
<tr class="ltx_tr"><td class="ltx_td">EviGraph</td><td class="ltx_td"><span
class="ltx_text ltx_font_bold">52.9</span></td><td class="ltx_td">66.1</td></tr>
</tbody></table></figure>
<figure class="ltx_figure" id="S3.F1"><img src="x1.png"/>
<figcaption class="ltx_caption"><span class="ltx_tag ltx_tag_figure">Figure 1: </span>Latency
per question.</figcaption></figure>
<div class="ltx_para"><p class="ltx_p">{experiments}</p></div>
</section>
<section class="ltx_appendix" id="A1"><h2 class="ltx_title ltx_title_appendix">
<span class="ltx_tag ltx_tag_appendix">Appendix A </span>Training details</h2>
<div class="ltx_para"><p class="ltx_p">The reranker is trained with batch size 64.</p></div>
</section>
<section class="ltx_bibliography" id="bib"><h2 class="ltx_title">References</h2>
<ul class="ltx_biblist"><li class="ltx_bibitem">P. Lewis. Retrieval-augmented generation.
</li></ul></section>
</article></div></body></html>
"""

_FILLER = (
    "Large language models that answer multi-hop questions from retrieved passages often "
    "cite evidence that does not support their answer; organising the evidence as a graph "
    "of claims makes the answers better supported and their citations checkable. "
)


def arxiv_html() -> bytes:
    """arXiv's LaTeXML page for the paper (enough text to be used)."""
    page = ARXIV_HTML.replace("{intro}", _FILLER * 6)
    page = page.replace("{method}", _FILLER * 4).replace("{experiments}", _FILLER * 3)
    return page.encode()
