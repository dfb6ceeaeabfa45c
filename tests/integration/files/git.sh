set -e
rm -rf /tmp/cvt-git && mkdir /tmp/cvt-git && cd /tmp/cvt-git
export GIT_AUTHOR_DATE="2020-01-01T00:00:00Z" GIT_COMMITTER_DATE="2020-01-01T00:00:00Z" HOME=/tmp/cvt-git
git init -q -b main .
git config user.email t@t; git config user.name t
echo a > a; git add .; git commit -qm x
git checkout -qb b; echo b >> a; git commit -qam y
git checkout -q main; echo c > c; git add c; git commit -qm z
git merge -q --no-edit b
git log --oneline | wc -l; cat a; git status --short | wc -l
