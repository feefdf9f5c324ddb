// The published sources the rules cite, by author, title, journal and year,
// so a clinician can look each one up (FDA CDS guidance: show the basis).
// The protocols' own facts come from a clinic's description of its practice
// and are labelled as expert opinion, not evidence.
#pragma once

namespace scoliomassage::core {

inline constexpr char kSourceClinicPractice[] = "clinic practice description (expert opinion)";
inline constexpr char kSourceSosort[] =
    "Negrini S, et al. 2016 SOSORT guidelines: orthopaedic and rehabilitation treatment of "
    "idiopathic scoliosis during growth. Scoliosis Spinal Disord. 2018;13:3";
inline constexpr char kSourceBraist[] =
    "Weinstein SL, et al. Effects of bracing in adolescents with idiopathic scoliosis. "
    "N Engl J Med. 2013;369:1512-1521";
inline constexpr char kSourceContraindications[] =
    "Batavia M. Contraindications for therapeutic massage: do sources agree? J Bodyw Mov Ther. "
    "2004;8:48-57; NCCIH, Massage Therapy: What You Need To Know";
inline constexpr char kSourceAdverseEvents[] =
    "Yin P, et al. Adverse events of massage therapy in pain-related conditions: a systematic "
    "review. Evid Based Complement Alternat Med. 2014;2014:480956";
inline constexpr char kSourcePainChange[] =
    "Farrar JT, et al. Clinical importance of changes in chronic pain intensity measured on an "
    "11-point numerical pain rating scale. Pain. 2001;94:149-158; Ostelo RW, et al. "
    "Interpreting change scores for pain and functional status in low back pain. Spine. "
    "2008;33:90-94";

inline constexpr char kSourceDose[] =
    "clinic practice description (expert opinion): 15 minutes at first, later up to 40; "
    "meaningful pain change: Farrar JT, et al. Pain. 2001;94:149-158; Ostelo RW, et al. Spine. "
    "2008;33:90-94";
inline constexpr char kSourceCobbError[] =
    "Morrissy RT, et al. Measurement of the Cobb angle on radiographs of patients who have "
    "scoliosis. J Bone Joint Surg Am. 1990;72:320-327";

}  // namespace scoliomassage::core
